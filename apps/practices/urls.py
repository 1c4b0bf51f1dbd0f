app_name = "practices"

urlpatterns: list = []
