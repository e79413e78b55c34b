"""Wire schemas and runtime pieces shared by the Partnership Fund services."""

from partnerfund_shared.logs import install_event_logger

# Every service module imports this package before it creates its module logger, so the loggers
# the services log events with are all EventLoggers.
install_event_logger()
