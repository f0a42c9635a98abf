import os

from django.core.wsgi import get_wsgi_application

from bzpeer.statement_timeout import serve_web

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bzpeer.settings")
application = get_wsgi_application()
# This process serves requests: its queries get the web statement timeout, not the one the
# settings give commands and workers.
serve_web()
