"""English pages write dates day first, as in France (4 December 2026 is "04/12/2026", never "12/04/2026").

Django's `en` formats are American; the British ones are the day-first English our users expect, first day of the
week Monday included. Read through `FORMAT_MODULE_PATH` (config/settings/base.py).
"""

from django.conf.locale.en_GB.formats import *  # noqa: F403
