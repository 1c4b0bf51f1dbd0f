from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.search.forms import SearchForm
from apps.search.kinds import KIND_KEYS
from apps.search.selectors import search

API_RESULTS_PER_KIND = 10


class HitSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=KIND_KEYS)
    title = serializers.CharField()
    detail = serializers.CharField()
    url = serializers.CharField(help_text="The object's page in the portal.")


class GroupSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=KIND_KEYS)
    label = serializers.CharField()
    results = HitSerializer(many=True, source="hits")


class SearchResultSerializer(serializers.Serializer):
    query = serializers.CharField()
    count = serializers.IntegerField(help_text="Hits over all groups.")
    groups = GroupSerializer(many=True)


class SearchView(APIView):
    """Search teams, value streams, models, versions, model requests, datasets and KPIs at once.

    Partial words match (`forec` finds "Forecasting"); on PostgreSQL a typo still finds its word
    (`forcast`). Results are grouped by kind, best first, at most 10 per kind."""

    permission_classes = [IsAuthenticated]

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "q", str, required=True, description="Words to look for (at most 100 characters)."
            ),
            OpenApiParameter("kind", str, enum=list(KIND_KEYS), description="Only this kind of object."),
        ],
        responses={200: SearchResultSerializer},
    )
    def get(self, request):
        form = SearchForm(request.query_params)
        if not form.is_valid():
            raise serializers.ValidationError(form.errors)
        groups = search(query=form.cleaned_data["q"], kinds=form.kinds(), limit=API_RESULTS_PER_KIND)
        body = {"query": form.cleaned_data["q"], "count": sum(len(g.hits) for g in groups), "groups": groups}
        return Response(SearchResultSerializer(body).data)
