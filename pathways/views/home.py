from django.shortcuts import render
from django.views.decorators.http import require_GET

from pathways.selectors import home_page


@require_GET
def home(request):
    """What the user works on, section by section for each role they hold; never anything else."""
    return render(request, "pathways/home.html", home_page(request.user).as_context())
