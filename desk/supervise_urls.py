from django.urls import path

from desk import supervise_views

app_name = "supervise"

urlpatterns = [
    path("transcripts/", supervise_views.transcript_list, name="transcripts"),
    path("transcripts/<int:interaction_id>/", supervise_views.transcript, name="transcript"),
]
