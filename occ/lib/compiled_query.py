"""An ORM query compiled to SQL once, then run many times with other values.

Django turns a queryset into SQL on every evaluation. For the small queries
routing runs on every new conversation, that compilation costs the worker
several times what running the statement does (2 to 3 ms of CPU each on the
project's machine, against about 0.3 ms to send a statement and read its
rows). Those queries differ from one run to the next only in a few values
(which services, which agents), so this compiles each shape once, with
stand-in values, and runs the same SQL with the real values put in their
places. The query is still written once, with the ORM, and its rows come
back converted with the converters the ORM would apply.

Only for `values_list()` querysets whose varying values are integers
(ids): a stand-in is a negative integer no real id can be, and the shape
(how many ids each list holds) is part of the cache key.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from django.db import connections

# Far below any id a sequence hands out, and distinct for each place.
_STAND_IN_BASE = -(10**15)


class CompiledQuery:
    """`build(*values, **constants)` returns a values_list queryset; `rows(...)` runs it.

    Each value is an int or a sequence of ints, sent as a parameter. A
    constant (e.g. a LIMIT, which Django writes into the SQL text) is part
    of the shape. The SQL for each shape (the constants, which values are
    lists and how long) and database is built once, so keep the number of
    distinct constants small.
    """

    def __init__(self, build: Callable, *, using: str = "default"):
        self._build = build
        self._using = using
        # Two threads may compile one shape at once: the same SQL, kept once.
        self._compiled: dict[tuple, tuple] = {}

    def rows(self, *values, **constants) -> list[tuple]:
        connection = connections[self._using]
        shape = (
            connection.vendor,
            *(len(v) if isinstance(v, Sequence) else None for v in values),
            *sorted(constants.items()),
        )
        compiled = self._compiled.get(shape)
        if compiled is None:
            compiled = self._compiled[shape] = self._compile(values, constants)
        sql, template, places, converters = compiled
        flat = [v for value in values for v in (value if isinstance(value, Sequence) else [value])]
        params = list(template)
        for position, index in places:
            params[position] = flat[index]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            fetched = cursor.fetchall()
        if not converters:
            return [tuple(row) for row in fetched]
        rows = []
        for row in fetched:
            row = list(row)
            for position, (functions, expression) in converters:
                for convert in functions:
                    row[position] = convert(row[position], expression, connection)
            rows.append(tuple(row))
        return rows

    def _compile(self, values, constants) -> tuple:
        stand_ins: list[int | list[int]] = []
        counter = 0
        for value in values:
            if isinstance(value, Sequence):
                stand_ins.append([_STAND_IN_BASE - (counter + i) for i in range(len(value))])
                counter += len(value)
            else:
                stand_ins.append(_STAND_IN_BASE - counter)
                counter += 1
        compiler = self._build(*stand_ins, **constants).query.get_compiler(using=self._using)
        sql, template = compiler.as_sql()
        places = []
        for position, param in enumerate(template):
            if isinstance(param, int) and not isinstance(param, bool) and param <= _STAND_IN_BASE:
                places.append((position, _STAND_IN_BASE - param))
        if sorted(index for _position, index in places) != list(range(counter)):
            # A value was folded into the SQL text or used twice: not safe to reuse.
            raise ValueError(
                "every value of a compiled query must appear exactly once as a parameter"
            )
        # What the ORM would apply to each column (e.g. SQLite's text to an aware datetime).
        columns = [selected[0] for selected in compiler.select[: compiler.col_count]]
        converters = tuple(compiler.get_converters(columns).items())
        return sql, tuple(template), tuple(places), converters
