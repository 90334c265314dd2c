from django.conf import settings


def portal(request):
    """Values every page needs: the issuing authority's name and the active rule set."""
    return {
        "issuer_name": settings.TKDN_ISSUER_NAME,
        "active_rule_set": settings.TKDN_ACTIVE_RULE_SET,
    }
