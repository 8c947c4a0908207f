"""Deployment checks of where e-mails and SMS go (`manage.py check --deploy`, run by CI with the production settings).

The defaults suit the embedded demo: e-mails to the console (`EMAIL_URL=consolemail://`), SMS to the worker's log
(`notifications.sms.ConsoleSmsBackend`). Left so in a deployment, nothing reaches anybody and every message is
written to the logs with its recipient's e-mail address or phone number (a person booking a drop-in slot gives
theirs): personal data in the logs, which the service must not write (docs/deployment.md, "Personal data in logs").
"""

from django.conf import settings
from django.core import checks

# Backends that write the message, recipient included, to the logs or a local file instead of sending it.
EMAIL_BACKENDS_NOT_SENDING = {
    "django.core.mail.backends.console.EmailBackend",
    "django.core.mail.backends.filebased.EmailBackend",
    "django.core.mail.backends.locmem.EmailBackend",
    "django.core.mail.backends.dummy.EmailBackend",
}
SMS_BACKENDS_NOT_SENDING = {"notifications.sms.ConsoleSmsBackend", "notifications.sms.FileSmsBackend"}


@checks.register(checks.Tags.security, deploy=True)
def messages_are_sent_not_logged(app_configs=None, **kwargs):
    messages = []
    if settings.EMAIL_BACKEND in EMAIL_BACKENDS_NOT_SENDING:
        messages.append(
            checks.Error(
                f"E-mails are not sent ({settings.EMAIL_BACKEND}): nobody receives an alert, an invitation or a "
                "password reset, and each e-mail, its recipient's address included, is written to the logs.",
                hint="Set EMAIL_URL to the SMTP server (smtp://user:password@host:587/?tls=True).",
                id="notifications.E001",
            )
        )
    if settings.SMS_BACKEND in SMS_BACKENDS_NOT_SENDING:
        messages.append(
            checks.Warning(
                f"SMS are not sent ({settings.SMS_BACKEND}): each SMS, its recipient's phone number included, is "
                "written to the worker's log or a file.",
                hint="Set SMS_BACKEND=notifications.sms.HttpSmsBackend and SMS_HTTP_URL, SMS_HTTP_TOKEN "
                "(docs/deployment.md, 'SMS provider').",
                id="notifications.W001",
            )
        )
    elif settings.SMS_BACKEND == "notifications.sms.HttpSmsBackend" and not settings.SMS_HTTP_URL.startswith(
        "https://"
    ):
        messages.append(
            checks.Error(
                "SMS_HTTP_URL is not an https:// address: the phone numbers and the provider's token would travel "
                "unencrypted, or no SMS would leave.",
                hint="Set SMS_HTTP_URL to the provider's https:// address (docs/deployment.md, 'SMS provider').",
                id="notifications.E002",
            )
        )
    return messages
