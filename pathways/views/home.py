from django.shortcuts import render
from django.views.decorators.http import require_GET

from pathways import scoping
from pathways.selectors import home_page


@require_GET
def home(request):
    """What the user works on, section by section for each role they hold; never anything else. The people it names
    (the user's pathways, the requests to join them) are reads of their records (the access log)."""
    page = home_page(request.user)
    pathways = [*(page.referent_pathways or []), *(page.adviser_pathways or [])]
    pathways += [join_request.pathway for join_request in page.join_requests_to_answer]
    scoping.log_people_listed(
        request,
        ((pathway.beneficiary, (pathway.prescribing_organisation_id, pathway.opened_by_id)) for pathway in pathways),
    )
    return render(request, "pathways/home.html", page.as_context())
