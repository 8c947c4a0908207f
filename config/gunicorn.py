"""gunicorn's settings (`gunicorn --config python:config.gunicorn`): the access log without query strings.

People are searched by name (`?q=Dupont`): gunicorn's default access log line holds the request line (`%(r)s`) and
the referrer (`%(f)s`), both with their query string, so a name would land in the server's logs. This format keeps
the method, the path without its query string (`%(U)s`), the protocol, the status, the size, the user agent and the
time taken; no referrer. Other settings stay on the command line (Dockerfile, .ci/production-check).
"""

accesslog = "-"
access_log_format = '%(h)s %(l)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s "%(a)s" %(M)sms'
