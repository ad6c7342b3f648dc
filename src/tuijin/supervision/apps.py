from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "tuijin.supervision"
    verbose_name = "督导"

    def ready(self):
        from tuijin.core import daily, exclusions, navigation

        from . import inbox, indicators, sampling  # noqa: F401  (registers the indicators)

        navigation.HEADER_COUNTS.append(inbox.unread_count)
        daily.AFTER_SNAPSHOT.append(inbox.daily)
        navigation.HOME_PANELS.append(inbox.home_panel)
        exclusions.EXCLUDERS.append(sampling.untrue)
