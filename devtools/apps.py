from django.apps import AppConfig


class DevtoolsConfig(AppConfig):
    """Development tools: the data generator, the demo seeder, the embedded PostgreSQL runner.

    Nothing of the archive depends on this app; it depends on every one.
    """

    name = "devtools"
    verbose_name = "Development tools"
