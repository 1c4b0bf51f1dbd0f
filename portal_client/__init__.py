"""The portal's client for teams: a Python library (``Client``) and the ``portal`` command built on it.

It talks only to the REST API (``/api/v1/``), so it runs anywhere the portal is reachable: a laptop,
a notebook, a CI pipeline. It imports nothing of the portal's server code.
"""

from portal_client.api import Client, PortalError

__all__ = ["Client", "PortalError"]
