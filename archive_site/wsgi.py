import os

from django.core.wsgi import get_wsgi_application

from archive_site import collector

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "archive_site.settings")

application = get_wsgi_application()
collector.settle()  # the objects start-up made are walked by no collection again
