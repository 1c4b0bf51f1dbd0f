app_name = "modelrequests"

urlpatterns: list = []
