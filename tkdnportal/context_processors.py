from django.conf import settings


def portal(request):
    """Values every page needs: the issuing authority's name."""
    return {"issuer_name": settings.TKDN_ISSUER_NAME}
