import pytest
from django.core.management import call_command


@pytest.fixture
def full_demo(transactional_db):
    """The demo organisation `make run` loads (its logins use the demo password)."""
    call_command("load_demo", verbosity=0)
