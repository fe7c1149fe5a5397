"""The attempt page renders each question once per process and order, numbered per attempt."""

from __future__ import annotations

import random
import re
from dataclasses import replace

from flask import render_template

from lms.extensions import db
from lms.quizzes import presenters, services
from lms.quizzes.presenters import QuestionView
from tests.engine.conftest import T0, put_in_training


def _direct(view: QuestionView) -> str:
    """The question rendered as the page once included it, with no cache."""
    return render_template("quizzes/_question.html", item=view)


def _views(user, quiz, seed):
    attempt = services.start_attempt(user, quiz, T0, rng=random.Random(seed))
    db.session.commit()
    return attempt, presenters.attempt_page(attempt, 1, 5, T0)


def test_cached_questions_are_the_ones_rendered_directly_with_their_own_numbers(app, quiz, make_user):
    first, second = make_user(), make_user()
    put_in_training(first, second)
    presenters.forget_question_html()
    with app.test_request_context():
        _, one = _views(first, quiz, 1)
        attempt, two = _views(second, quiz, 2)
        for page in (one, two):
            for item in (i for group in page.groups for i in group):
                assert str(item.html) == _direct(item)  # every type: choice, multiple, matching, typed
        assert len(presenters._question_html) == len({(i.entry, i.value) for p in (one, two)
                                                      for g in p.groups for i in g})
        services.save_answer(second, attempt, "tunggal", _first_answer(attempt, "tunggal"), 0, T0)
        db.session.commit()
        answered = presenters.attempt_page(attempt, 1, 5, T0)
        item = next(i for g in answered.groups for i in g if i.entry.id == "tunggal")
        html = str(item.html)
        assert html == _direct(item) and "checked" in html and f'id="soal-{item.index}"' in html


def _first_answer(attempt, question_id):
    entry = next(e for e in services.attempt_questions(attempt) if e.id == question_id)
    return entry.question.answers[0].id


def test_the_same_question_at_another_number_gets_that_number(app, quiz, make_user):
    user = make_user()
    put_in_training(user)
    with app.test_request_context():
        _, page = _views(user, quiz, 3)
        item = page.groups[0][0]
        moved = replace(item, index=7)
        for shown in (item, moved, item):
            html = str(shown.html)
            assert html == _direct(shown)
            assert re.findall(r'name="(q-\d+)-shown"', html) == [f"q-{shown.index}"]


def test_a_text_carrying_the_placeholder_is_rendered_each_time(app, quiz, make_user):
    user = make_user()
    put_in_training(user)
    with app.test_request_context():
        _, page = _views(user, quiz, 4)
        item = next(i for g in page.groups for i in g if i.entry.id == "isian")
        question = replace(item.entry.question, text_format="plain",
                           text=f"Soal aneh {presenters._NUMBER} dan {presenters._CHECK}")
        odd = replace(item, entry=replace(item.entry, question=question))
        for index in (2, 9):
            shown = replace(odd, index=index)
            assert str(shown.html) == _direct(shown)
        assert presenters._question_html[(odd.entry, "null", odd.revision)] is None  # never kept
