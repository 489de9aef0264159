"""Programme URLs: see urls.py. Workshop 1 (a group's shared concepts and its community board)
and the facilitator's screen for a session; each live page has a `live` address it polls."""

from django.urls import URLPattern, path

from .views import facilitate, ws1

GROUP = "programmes/<int:pk>/groups/<str:code>/"
SESSION = "programmes/<int:pk>/sessions/<int:session_pk>/"

urlpatterns: list[URLPattern] = [
    path(f"{GROUP}concepts/", ws1.concepts, name="concepts"),
    path(f"{GROUP}concepts/live/", ws1.concepts_live, name="concepts_live"),
    path(f"{GROUP}concepts/<slug:term_key>/define/", ws1.concepts_define, name="concepts_define"),
    path(f"{GROUP}concepts/<slug:term_key>/mark/", ws1.concepts_mark, name="concepts_mark"),
    path(f"{GROUP}board/", ws1.board, name="board"),
    path(f"{GROUP}board/live/", ws1.board_live, name="board_live"),
    path(f"{GROUP}board/notes/new/", ws1.board_add, name="board_add"),
    path(
        f"{GROUP}board/notes/<int:note_pk>/remove/",
        ws1.board_note_remove,
        name="board_note_remove",
    ),
    path(f"{SESSION}facilitate/", facilitate.facilitate, name="facilitate"),
    path(f"{SESSION}facilitate/live/", facilitate.facilitate_live, name="facilitate_live"),
    path(f"{SESSION}facilitate/step/", facilitate.facilitate_step, name="facilitate_step"),
    path(f"{SESSION}facilitate/timer/", facilitate.facilitate_timer, name="facilitate_timer"),
]
