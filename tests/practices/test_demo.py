import pytest
from django.core.management import call_command
from django.db.models import Count

from apps.practices.models import Engagement, ScorecardSnapshot, SelfAssessment, SurveyResponse, SurveyRound
from apps.teams.models import Team

pytestmark = pytest.mark.django_db


def test_demo_has_assessments_surveys_engagements_and_history():
    call_command("load_demo", verbosity=0)
    assessed = SelfAssessment.objects.values("team").distinct().count()
    assert assessed > Team.objects.count() / 2
    assert any(a.is_expired for a in SelfAssessment.objects.all())
    assert SurveyRound.objects.count() == 2
    assert SurveyResponse.objects.values("round").distinct().count() == 2
    completed = Engagement.objects.get(completed_at__isnull=False)
    assert completed.before_snapshot.computed_at < completed.after_snapshot.computed_at
    assert completed.after_snapshot.level > completed.before_snapshot.level
    assert Engagement.objects.filter(completed_at__isnull=True).exists()
    history = ScorecardSnapshot.objects.filter(subject_type="team").values("team").annotate(n=Count("id"))
    assert max(row["n"] for row in history) >= 3
    assert (
        ScorecardSnapshot.objects.filter(is_latest=True, team__isnull=False).count() == Team.objects.count()
    )
    rows = SelfAssessment.objects.count()
    call_command("load_demo", verbosity=0)
    assert SelfAssessment.objects.count() == rows
