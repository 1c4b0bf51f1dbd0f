import pytest

from apps.teams.models import MemberRole
from tests.factories import MembershipFactory, UserFactory
from tests.training.helpers import tumour_frame, upload_frame

WORKER_FIXTURES = {"celery_worker_process", "worker_factory"}


@pytest.fixture(autouse=True)
def platform_storage(request, settings, tmp_path_factory):
    """Each test stores datasets in its own folder, except tests with a worker process, which must
    share the folder the worker was started with (under PORTAL_VAR_DIR)."""
    if not WORKER_FIXTURES & set(request.fixturenames):
        settings.PLATFORM_STORAGE_ROOT = tmp_path_factory.mktemp("platform")
        # In-process runs share the test transaction; a heartbeat from another connection would wait.
        settings.TRAINING_HEARTBEAT_SECONDS = 3600
    return settings.PLATFORM_STORAGE_ROOT


@pytest.fixture
def scientist(team):
    """A member of the team who is neither lead nor product manager: may upload, train, cancel."""
    user = UserFactory()
    MembershipFactory(team=team, user=user, role=MemberRole.DATA_SCIENTIST)
    return user


@pytest.fixture
def tumours(team, scientist):
    return upload_frame(actor=scientist, team=team, frame=tumour_frame())
