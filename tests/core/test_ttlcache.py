import time

from apps.core.ttlcache import TtlCache


def test_entries_live_for_the_lifetime_read_at_write_time():
    lifetime = {"seconds": 60.0}
    cache = TtlCache(lambda: lifetime["seconds"])
    cache.put("long", 1)
    lifetime["seconds"] = 0.01
    cache.put("short", 2)
    lifetime["seconds"] = 60.0
    time.sleep(0.05)
    assert (cache.get("long"), cache.get("short")) == (1, None)


def test_a_lifetime_of_zero_turns_the_cache_off():
    lifetime = {"seconds": 60.0}
    cache = TtlCache(lambda: lifetime["seconds"])
    cache.put("key", 1)
    lifetime["seconds"] = 0
    assert cache.get("key") is None
    cache.put("other", 2)
    lifetime["seconds"] = 60.0
    assert (cache.get("key"), cache.get("other")) == (1, None)


def test_the_least_recently_used_entry_goes_first_and_clear_forgets_all():
    cache = TtlCache(lambda: 60.0, max_entries=2)
    cache.put("a", 1)
    cache.put("b", 2)
    cache.get("a")
    cache.put("c", 3)
    assert (cache.get("a"), cache.get("b"), cache.get("c")) == (1, None, 3)
    cache.clear(sender=object)
    assert cache.get("a") is None
