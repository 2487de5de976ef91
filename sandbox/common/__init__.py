"""What every sandbox store server shares, so a platform's sandbox holds only its own rules.

- ``server``: a WSGI app served on a real port from a background thread (``BackgroundServer``)
  and ``StoreSandbox``, the base of a server that plays many stores of one platform;
- ``delivery``: ``DeliveryQueue``, webhook deliveries made at their due time by one thread;
- ``faults``: ``ScriptedFault`` and the ``FaultScript`` queue a store keeps of them;
- ``control``: the ``/_sandbox`` blueprint's plumbing (reset, a store's faults, lookups);
- ``cli``: ``python -m sandbox.<platform>``'s wait for Ctrl-C or SIGTERM.

The platform packages add routes, signatures, payload shapes and the platform's rules.
"""
