"""Racing requests for the PostgreSQL race tests: attempts in threads of their own, each with
its own app context, session and pooled connection, released at the same moment."""

from __future__ import annotations

import threading
from collections.abc import Callable

from marketplace.extensions import db


def race(
    app, attempts: list[Callable[[], object]], kept: tuple[type[Exception], ...] = ()
) -> list[object]:
    """Run each attempt in its own thread and session, all released at once; what each gave
    back, or raised. A refusal of a `kept` kind is committed (what the view does: what it
    changed before refusing stays), any other error rolled back."""
    barrier = threading.Barrier(len(attempts))
    results: list[object] = []

    def run(attempt: Callable[[], object]) -> None:
        with app.app_context():
            try:
                barrier.wait(timeout=30)
                result = attempt()
                db.session.commit()
                results.append(result)
            except kept as error:
                db.session.commit()
                results.append(error)
            except Exception as error:  # reported by the test
                db.session.rollback()
                results.append(error)
            finally:
                db.session.remove()

    workers = [threading.Thread(target=run, args=(attempt,)) for attempt in attempts]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return results
