app_name = "reentry"

urlpatterns = []
