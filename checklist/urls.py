from django.urls import path

from checklist import views

app_name = "checklist"

urlpatterns = [
    path("", views.checklist_list, name="list"),
    path("etapes/<int:stage_pk>/", views.checklist_start, name="start"),
    path("<int:pk>/", views.checklist_detail, name="detail"),
    path("<int:pk>/remplir/", views.checklist_edit, name="edit"),
    path("<int:pk>/rubriques/<int:section_pk>/", views.section_save, name="section_save"),
    path("<int:pk>/accord/", views.consent_save, name="consent_save"),
    path("<int:pk>/transmission/", views.checklist_submit, name="submit"),
    path("<int:pk>/pdf/", views.pdf_request, name="pdf_request"),
    path("pdf/<int:pk>/", views.pdf_download, name="pdf_download"),
]
