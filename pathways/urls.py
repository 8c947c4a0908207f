from django.urls import path

from pathways.views import (
    access_log,
    dpo,
    erasure,
    home,
    imports,
    list_exports,
    members,
    offer,
    pathway,
    people,
    pickers,
    retention,
    rights,
    sessions,
)

app_name = "pathways"

urlpatterns = [
    path("", home.home, name="home"),
    # People
    path("personnes/", people.beneficiary_list, name="beneficiary_list"),
    path("personnes/nouvelle/", people.beneficiary_create, name="beneficiary_create"),
    path("personnes/<int:pk>/", people.beneficiary_detail, name="beneficiary_detail"),
    path("personnes/<int:pk>/modifier/", people.beneficiary_update, name="beneficiary_update"),
    path("personnes/<int:pk>/anonymiser/", erasure.beneficiary_anonymise, name="beneficiary_anonymise"),
    path("personnes/<int:pk>/nouveau-parcours/", people.pathway_open, name="pathway_open"),
    path("personnes/<int:pk>/acces/", access_log.beneficiary_access_log, name="beneficiary_access_log"),
    path("conseillers/options/", people.adviser_options, name="adviser_options"),
    # Rights of the person: the information notice, objections to a sharing
    path("personnes/<int:pk>/notice/", rights.notice, name="notice"),
    path("personnes/<int:pk>/notice/remise/", rights.notice_handover, name="notice_handover"),
    path("personnes/<int:pk>/oppositions/nouvelle/", rights.objection_create, name="objection_create"),
    path("oppositions/<int:pk>/retirer/", rights.objection_withdraw, name="objection_withdraw"),
    path("personnes/<int:pk>/notice/pdf/", rights.notice_pdf_request, name="notice_pdf_request"),
    path("personnes/<int:pk>/droit-d-acces/", rights.access_export_request, name="access_export_request"),
    path("documents-droits/<int:pk>/", rights.rights_document_download, name="rights_document_download"),
    # Join requests
    path("demandes/", people.join_request_list, name="join_request_list"),
    path("demandes/nouvelle/", people.join_request_create, name="join_request_create"),
    path("demandes/<int:pk>/reponse/", people.join_request_decide, name="join_request_decide"),
    # Pathways and stages
    path("parcours/", pathway.pathway_list, name="pathway_list"),
    path("parcours/<int:pk>/", pathway.pathway_detail, name="pathway_detail"),
    path("parcours/<int:pk>/modifier/", pathway.pathway_update, name="pathway_update"),
    path("parcours/<int:pk>/cloturer/", pathway.pathway_close, name="pathway_close"),
    path("parcours/<int:pk>/etapes/nouvelle/", pathway.stage_create, name="stage_create"),
    path("etapes/<int:pk>/modifier/", pathway.stage_update, name="stage_update"),
    path("etapes/<int:pk>/demarrer/", pathway.stage_start, name="stage_start"),
    path("etapes/<int:pk>/suspendre/", pathway.stage_suspend, name="stage_suspend"),
    path("etapes/<int:pk>/reprendre/", pathway.stage_resume, name="stage_resume"),
    path("etapes/<int:pk>/sortie/", pathway.stage_exit, name="stage_exit"),
    # Sessions
    path("sessions/", sessions.session_list, name="session_list"),
    path("sessions/<int:pk>/", sessions.session_detail, name="session_detail"),
    # Imports with a preview (issue 21)
    path("imports/personnes/", imports.people_import, name="people_import"),
    path("imports/personnes/modele.csv", imports.people_import_template, name="people_import_template"),
    path("imports/sessions-lheo/", imports.lheo_import, name="lheo_import"),
    path("imports/<int:pk>/", imports.import_preview, name="import_preview"),
    path("imports/<int:pk>/confirmer/", imports.import_confirm, name="import_confirm"),
    path("sessions/<int:pk>/modifier/", offer.session_update, name="session_update"),
    # A training body's offer: its training actions and their sessions
    path("actions-de-formation/", offer.training_action_list, name="training_action_list"),
    path("actions-de-formation/nouvelle/", offer.training_action_create, name="training_action_create"),
    path("actions-de-formation/<int:pk>/", offer.training_action_detail, name="training_action_detail"),
    path("actions-de-formation/<int:pk>/modifier/", offer.training_action_update, name="training_action_update"),
    path(
        "actions-de-formation/<int:pk>/desactiver/",
        offer.training_action_deactivate,
        name="training_action_deactivate",
    ),
    path("actions-de-formation/<int:pk>/sessions/nouvelle/", offer.session_create, name="session_create"),
    # Pickers that search as you type (communes, organisations of the user's region)
    path("communes/options/", pickers.commune_options, name="commune_options"),
    path("structures/options/", pickers.organisation_options, name="organisation_options"),
    # Members of an organisation
    path("structures/<int:pk>/membres/", members.membership_list, name="membership_list"),
    path("structures/<int:pk>/membres/ajouter/", members.member_add, name="member_add"),
    path(
        "structures/<int:pk>/double-authentification/",
        members.organisation_two_factor_update,
        name="organisation_two_factor_update",
    ),
    path("membres/<int:pk>/modifier/", members.membership_update, name="membership_update"),
    path("membres/<int:pk>/desactiver/", members.membership_deactivate, name="membership_deactivate"),
    path("membres/<int:pk>/reactiver/", members.membership_reactivate, name="membership_reactivate"),
    # Invitations to a role: answered by the invited account, sent again or cancelled by the managers
    path("invitations/", members.membership_invitation_list, name="membership_invitation_list"),
    path("invitations/<int:pk>/accepter/", members.membership_invitation_accept, name="membership_invitation_accept"),
    path("invitations/<int:pk>/refuser/", members.membership_invitation_decline, name="membership_invitation_decline"),
    path("invitations/<int:pk>/renvoyer/", members.membership_invitation_resend, name="membership_invitation_resend"),
    path("invitations/<int:pk>/annuler/", members.membership_invitation_cancel, name="membership_invitation_cancel"),
    # The access log: the data-protection officers' search and export (issue 20)
    path("journal-des-acces/", access_log.access_log_search, name="access_log"),
    path("journal-des-acces/export/", access_log.access_log_export, name="access_log_export"),
    # The data-protection officer answers a person's rights: finds them (by POST), their restricted page, the export
    path("protection-des-donnees/personnes/", dpo.dpo_person_search, name="dpo_person_search"),
    path("protection-des-donnees/personnes/<int:pk>/", dpo.dpo_person, name="dpo_person"),
    path(
        "protection-des-donnees/personnes/<int:pk>/droit-d-acces/",
        dpo.dpo_access_export_request,
        name="dpo_access_export_request",
    ),
    path(
        "protection-des-donnees/personnes/<int:pk>/notice/pdf/",
        dpo.dpo_notice_pdf_request,
        name="dpo_notice_pdf_request",
    ),
    # A region's retention durations, set by the region's DPO (issue 20)
    path("regions/<int:pk>/conservation/", retention.retention_settings, name="retention_settings"),
    # Long list exports built by a worker (issue 21): progress and download, for their requester
    path("exports/<int:pk>/", list_exports.list_export_detail, name="list_export_detail"),
    path("exports/<int:pk>/telecharger/", list_exports.list_export_download, name="list_export_download"),
]
