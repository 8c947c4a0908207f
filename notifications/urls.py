from django.urls import path

from notifications import views

app_name = "notifications"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("<int:pk>/ouvrir/", views.notification_open, name="open"),
    path("tout-lu/", views.mark_all_read, name="mark_all_read"),
    path("preferences/", views.preferences, name="preferences"),
    path("a-faire/", views.todo_list, name="todo_list"),
    path("a-faire/<int:pk>/fait/", views.todo_done, name="todo_done"),
]
