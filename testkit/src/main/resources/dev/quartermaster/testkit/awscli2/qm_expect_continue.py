# A test-only AWS CLI v2 plugin (loaded through the [plugins] section of a config file the benchmark writes;
# never on a host). AWS CLI 2.9's vendored botocore accepts a "100 Continue" interim answer only with a reason
# phrase ("HTTP/1.1 100 Continue"); Tomcat, so S3Mock, sends "HTTP/1.1 100 " without one, which that botocore
# takes for neither 100 nor a final status: it never sends the body, then fails on the blank line that follows.
# Later botocore releases accept a status line without a reason phrase; this is that same check. S3 itself sends
# the reason phrase, so the CLI on a host needs nothing of this.
#
# Also: CLI 2.9 predates AWS_ENDPOINT_URL (2.13 reads it); where the variable is set and no --endpoint-url was given,
# it becomes the endpoint, as a newer CLI (and CLI v1 here) would take it.
import os

from botocore import awsrequest  # the CLI's own botocore (Debian's package puts it on the path as "botocore")


def _is_100_continue_status(self, maybe_status_line):
    parts = maybe_status_line.split(None, 2)
    return len(parts) >= 2 and parts[0].startswith(b'HTTP/') and parts[1] == b'100'


def _endpoint_from_environment(parsed_args, **kwargs):
    endpoint = os.environ.get('AWS_ENDPOINT_URL_S3') or os.environ.get('AWS_ENDPOINT_URL')
    if endpoint and not getattr(parsed_args, 'endpoint_url', None):
        parsed_args.endpoint_url = endpoint


def awscli_initialize(event_hooks):
    awsrequest.AWSConnection._is_100_continue_status = _is_100_continue_status
    event_hooks.register('top-level-args-parsed', _endpoint_from_environment)
