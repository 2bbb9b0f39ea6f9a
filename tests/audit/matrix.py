from tests.matrix import MANAGERS, Route

ROUTES = [
    Route("audit:event_list", roles=MANAGERS),
    Route("api-audit-event-list", roles=MANAGERS, api=True),
]
