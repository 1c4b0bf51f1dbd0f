from apps.sso.config import sso_config


def why_team_is_managed(team) -> str | None:
    """Teams named in the group map take their members from the identity provider only."""
    config = sso_config()
    groups = config.groups_granting(team.slug) if config.enabled else []
    if not groups:
        return None
    return (
        f"{team.name}'s members come from the identity provider (groups: {', '.join(groups)}) and are "
        "synced at each sign-in; add or remove people there."
    )
