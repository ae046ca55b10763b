from django.conf import settings


def site(request):
    return {"MILL_NAME": settings.MILL_NAME}
