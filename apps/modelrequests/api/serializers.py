from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.core.api.serializers import StrictFieldsMixin
from apps.modelrequests.models import (
    ModelRequest,
    RequestComment,
    RequestStatus,
    RequestTransition,
    SavedView,
    ScoreInput,
)
from apps.modelrequests.services import REQUEST_FIELDS
from apps.registry.models import RegisteredModel
from apps.teams.models import Team, ValueStream


class SavedViewSerializer(StrictFieldsMixin, serializers.ModelSerializer):
    """A saved set of filters. ``query`` is the page's query string (checked: unknown filters and bad
    values are a 400 naming them); ``url`` opens the view in the browser."""

    owner = serializers.SlugRelatedField(slug_field="username", read_only=True)
    url = serializers.CharField(source="get_absolute_url", read_only=True)

    class Meta:
        model = SavedView
        fields = ("id", "name", "kind", "query", "shared", "owner", "url", "created_at", "updated_at")
        read_only_fields = ("created_at", "updated_at")
        validators = []  # the service checks the name is free (the unique constraint, in words)


class TransitionSerializer(serializers.ModelSerializer):
    actor = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = RequestTransition
        fields = ("id", "from_status", "to_status", "actor", "at", "note", "by_portal")


class CommentSerializer(StrictFieldsMixin, serializers.ModelSerializer):
    author = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = RequestComment
        fields = ("id", "author", "body", "created_at")
        read_only_fields = ("created_at",)


class ModelRequestSerializer(StrictFieldsMixin, serializers.ModelSerializer):
    requesting_team = serializers.SlugRelatedField(slug_field="slug", queryset=Team.objects.all())
    delivering_team = serializers.SlugRelatedField(slug_field="slug", queryset=Team.objects.all())
    value_stream = serializers.SlugRelatedField(slug_field="slug", queryset=ValueStream.objects.all())
    registered_model = serializers.SlugRelatedField(
        slug_field="slug", queryset=RegisteredModel.objects.all(), allow_null=True, required=False
    )
    attachments = serializers.ListField(child=serializers.CharField(), required=False)
    rice = serializers.FloatField(
        read_only=True, allow_null=True, help_text="RICE score; null when unscored."
    )
    wsjf = serializers.FloatField(
        read_only=True, allow_null=True, help_text="WSJF score; null when unscored."
    )
    ranked_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    pinned = serializers.SerializerMethodField(
        help_text="True when pinned at `manual_rank` on the backlog (by `ranked_by` at `ranked_at`, "
        "for `rank_reason`); false when it follows its score."
    )

    class Meta:
        model = ModelRequest
        fields = (
            "id",
            *REQUEST_FIELDS,
            "status",
            "rice",
            "wsjf",
            "pinned",
            "manual_rank",
            "rank_reason",
            "ranked_by",
            "ranked_at",
            "submitted_at",
            "started_at",
            "delivered_at",
            "updated_at",
        )
        read_only_fields = (
            "status",
            "manual_rank",
            "rank_reason",
            "ranked_at",
            "submitted_at",
            "started_at",
            "delivered_at",
        )

    def get_pinned(self, obj) -> bool:
        return obj.manual_rank is not None


class ScoreInputSerializer(serializers.ModelSerializer):
    set_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = ScoreInput
        fields = ("field", "set_by", "set_at")


class ModelRequestDetailSerializer(ModelRequestSerializer):
    training_jobs = serializers.SerializerMethodField(
        help_text="Ids of the training jobs started for this request, newest first "
        "(GET /api/v1/training-jobs/?model_request=<id> lists them)."
    )

    @extend_schema_field(serializers.ListField(child=serializers.IntegerField()))
    def get_training_jobs(self, request) -> list[int]:
        # the links live in apps.outcomes (JobForRequest), prefetched by the view
        return [link.job_id for link in sorted(request.training_jobs.all(), key=lambda link: -link.job_id)]

    transitions = TransitionSerializer(many=True, read_only=True)
    comments = CommentSerializer(many=True, read_only=True)
    score_inputs = ScoreInputSerializer(many=True, read_only=True, help_text="Who set each input, when.")

    class Meta(ModelRequestSerializer.Meta):
        fields = (
            *ModelRequestSerializer.Meta.fields,
            "score_inputs",
            "transitions",
            "comments",
            "training_jobs",
        )


class ScoreUpdateSerializer(StrictFieldsMixin, serializers.Serializer):
    """Some score inputs; each is checked against its scale and against who may set it."""

    reach = serializers.IntegerField(min_value=0, required=False, allow_null=True)
    impact = serializers.FloatField(required=False, allow_null=True)
    confidence = serializers.FloatField(required=False, allow_null=True)
    effort = serializers.FloatField(required=False, allow_null=True)
    business_value = serializers.IntegerField(required=False, allow_null=True)
    time_criticality = serializers.IntegerField(required=False, allow_null=True)
    risk_reduction = serializers.IntegerField(required=False, allow_null=True)
    job_size = serializers.IntegerField(required=False, allow_null=True)

    def validate(self, attrs):
        if not attrs:
            raise serializers.ValidationError({"reach": ["Give at least one score input."]})
        return attrs


class BulkScoreRowSerializer(ScoreUpdateSerializer):
    id = serializers.IntegerField(help_text="A request on the delivering team's backlog.")

    def validate(self, attrs):
        if len(attrs) < 2:
            raise serializers.ValidationError({"effort": ["Give at least one score input besides the id."]})
        return attrs


class BulkScoreInputSerializer(StrictFieldsMixin, serializers.Serializer):
    delivering_team = serializers.SlugRelatedField(slug_field="slug", queryset=Team.objects.all())
    rows = BulkScoreRowSerializer(many=True, allow_empty=False, max_length=200)

    def validate_rows(self, rows):
        ids = [row["id"] for row in rows]
        repeated = sorted({pk for pk in ids if ids.count(pk) > 1})
        if repeated:
            raise serializers.ValidationError(f"Each request once: repeated {', '.join(map(str, repeated))}.")
        return rows


class BulkScoreResultSerializer(serializers.Serializer):
    team = serializers.CharField()
    updated = serializers.IntegerField(help_text="Requests whose inputs changed.")
    results = ModelRequestSerializer(many=True)


class ScoreResultSerializer(serializers.Serializer):
    request = ModelRequestDetailSerializer()
    rice_rank = serializers.IntegerField(allow_null=True, help_text="Rank on the backlog ranked by RICE.")
    wsjf_rank = serializers.IntegerField(allow_null=True, help_text="Rank on the backlog ranked by WSJF.")


class UnpinAllInputSerializer(StrictFieldsMixin, serializers.Serializer):
    delivering_team = serializers.SlugRelatedField(slug_field="slug", queryset=Team.objects.all())


class UnpinAllResultSerializer(serializers.Serializer):
    team = serializers.CharField()
    unpinned = serializers.IntegerField()


class TransitionInputSerializer(StrictFieldsMixin, serializers.Serializer):
    to = serializers.ChoiceField(choices=RequestStatus.choices)
    note = serializers.CharField(required=False, allow_blank=True, default="")


class RankInputSerializer(StrictFieldsMixin, serializers.Serializer):
    after = serializers.PrimaryKeyRelatedField(queryset=ModelRequest.objects.all(), required=False)
    before = serializers.PrimaryKeyRelatedField(queryset=ModelRequest.objects.all(), required=False)
    position = serializers.IntegerField(
        min_value=1, required=False, help_text="The rank to move to: 1 is the top of the backlog."
    )
    reason = serializers.CharField(max_length=300)
    method = serializers.ChoiceField(choices=["rice", "wsjf"], required=False)

    def validate(self, attrs):
        if sum(name in attrs for name in ("after", "before", "position")) != 1:
            raise serializers.ValidationError(
                {"after": ["Give exactly one of 'after', 'before' or 'position'."]}
            )
        return attrs


class RefusedSerializer(serializers.Serializer):
    detail = serializers.CharField(help_text="Why, and who may")


class ConflictSerializer(serializers.Serializer):
    detail = serializers.CharField()
    allowed = serializers.ListField(child=serializers.ChoiceField(choices=RequestStatus.choices))


class WeeklyThroughputSerializer(serializers.Serializer):
    week = serializers.DateField()
    delivered = serializers.IntegerField()


class AgeingItemSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    status = serializers.CharField()
    status_label = serializers.CharField()
    delivering_team = serializers.CharField()
    requesting_team = serializers.CharField()
    age_days = serializers.FloatField()
    older_than_lead_time = serializers.BooleanField()


class BottleneckSerializer(serializers.Serializer):
    detected = serializers.BooleanField()
    queue_now = serializers.IntegerField()
    queue_before = serializers.IntegerField()
    queue_growth_per_week = serializers.FloatField()
    throughput_per_week = serializers.FloatField()
    action = serializers.CharField(help_text="self_service, add_capacity or enabling_team; empty when none.")
    action_text = serializers.CharField()


class CumulativeFlowSerializer(serializers.Serializer):
    days = serializers.ListField(child=serializers.DateField())
    series = serializers.DictField(child=serializers.ListField(child=serializers.IntegerField()))


class FlowGroupSerializer(serializers.Serializer):
    name = serializers.CharField()
    slug = serializers.CharField()
    lead_time_days = serializers.FloatField(allow_null=True)
    queue_time_days = serializers.FloatField(allow_null=True)
    cycle_time_days = serializers.FloatField(allow_null=True)
    wip = serializers.IntegerField()
    queued = serializers.IntegerField()
    throughput_per_week = serializers.FloatField()


class FlowSerializer(serializers.Serializer):
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    lead_time_days = serializers.FloatField(allow_null=True)
    queue_time_days = serializers.FloatField(allow_null=True)
    cycle_time_days = serializers.FloatField(allow_null=True)
    wip = serializers.IntegerField()
    wip_limit = serializers.IntegerField(allow_null=True)
    throughput_per_week = serializers.FloatField()
    littles_law_wip = serializers.FloatField(allow_null=True)
    weekly_throughput = WeeklyThroughputSerializer(many=True)
    ageing = AgeingItemSerializer(many=True)
    cfd = CumulativeFlowSerializer()
    bottleneck = BottleneckSerializer()
    by_delivering_team = FlowGroupSerializer(many=True)
    by_stream = FlowGroupSerializer(many=True)


class BacklogItemSerializer(ModelRequestSerializer):
    position = serializers.IntegerField(read_only=True)
    score = serializers.FloatField(read_only=True, allow_null=True, help_text="Score of the board's method.")
    cumulative_size = serializers.FloatField(read_only=True, help_text="Sum of sizes down to this row.")
    above_capacity_line = serializers.BooleanField(
        source="fits", read_only=True, help_text="The backlog down to this row fits the team's capacity."
    )

    class Meta(ModelRequestSerializer.Meta):
        fields = (
            "position",
            *ModelRequestSerializer.Meta.fields,
            "score",
            "cumulative_size",
            "above_capacity_line",
        )


class UnscoredItemSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    missing = serializers.ListField(child=serializers.CharField(), help_text="Inputs the method still needs.")


class BacklogSerializer(serializers.Serializer):
    team = serializers.CharField()
    method = serializers.ChoiceField(choices=["rice", "wsjf"])
    capacity_points = serializers.IntegerField()
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = BacklogItemSerializer(many=True)
    unscored_count = serializers.IntegerField()
    unscored = UnscoredItemSerializer(many=True, help_text="The first 50 requests without a score.")


class StreamItemSerializer(ModelRequestSerializer):
    """A request on a value stream's view: where it ranks on its delivering team's backlog, its age
    and what it waits for."""

    rank = serializers.IntegerField(
        read_only=True, allow_null=True, help_text="Its rank on the delivering team's backlog (null off it)."
    )
    backlog_size = serializers.IntegerField(
        read_only=True, allow_null=True, help_text="How many requests that backlog holds (null off it)."
    )
    method = serializers.CharField(read_only=True, help_text="The scoring method that backlog ranks by.")
    age_days = serializers.IntegerField(read_only=True, help_text="Days since it was submitted.")
    in_status_days = serializers.IntegerField(read_only=True, help_text="Days in its current status.")
    waits_for = serializers.CharField(read_only=True, help_text="What it waits for, and from whom, in words.")

    class Meta(ModelRequestSerializer.Meta):
        fields = (
            *ModelRequestSerializer.Meta.fields,
            "rank",
            "backlog_size",
            "method",
            "age_days",
            "in_status_days",
            "waits_for",
        )


class RoadmapItemSerializer(serializers.Serializer):
    id = serializers.IntegerField(source="pk")
    title = serializers.CharField()
    status = serializers.CharField()
    requesting_team = serializers.CharField(source="requesting_team.slug")
    value_stream = serializers.CharField(source="value_stream.slug")
    position = serializers.IntegerField(
        allow_null=True,
        default=None,
        help_text="Rank on the team's whole backlog (null: in progress or unscored).",
    )
    score = serializers.FloatField(
        allow_null=True, default=None, help_text="Score of the team's board method."
    )


class RoadmapLaneSerializer(serializers.Serializer):
    team = serializers.CharField(source="team.slug")
    capacity_points = serializers.IntegerField(source="team.capacity_points")
    method = serializers.CharField()
    now = RoadmapItemSerializer(many=True)
    next = RoadmapItemSerializer(many=True)
    later = RoadmapItemSerializer(many=True)
    later_count = serializers.IntegerField()


class RoadmapSerializer(serializers.Serializer):
    teams = RoadmapLaneSerializer(many=True)
