"""Codes the database draws for new records (demand XQ100001, customer C100001 …).

A sequence behind a function that skips codes already taken (an import or a user may bring
their own), used as the code field's `db_default`: two people saving at once never get the
same code, and a code typed by hand is kept as it is. The migration that introduces a drawn
code runs `numbering_sql`; the field says `db_default=drawn_code(function)`; a record made
in Python is given `field.get_default()` (`DatabaseDefault`) to draw its code when written.
"""

from django.db import models


def drawn_code(function):
    """The `db_default` of a code field drawn by the database function `function`."""
    return models.Func(function=function, output_field=models.CharField())


def numbering_sql(table, column, function, prefix, start):
    """(forward, backward) SQL making the sequence and `function`, which returns the next
    `prefix` + number not yet in `table`.`column`."""
    sequence = f"{table}_{column}_seq"
    forward = f"""
            CREATE SEQUENCE {sequence} START {start};
            CREATE FUNCTION {function}() RETURNS varchar AS $$
            DECLARE
                candidate varchar;
            BEGIN
                LOOP
                    candidate := '{prefix}' || nextval('{sequence}');
                    EXIT WHEN NOT EXISTS (SELECT 1 FROM {table} WHERE {column} = candidate);
                END LOOP;
                RETURN candidate;
            END
            $$ LANGUAGE plpgsql VOLATILE;
            """
    backward = f"""
            DROP FUNCTION IF EXISTS {function}();
            DROP SEQUENCE IF EXISTS {sequence};
            """
    return forward, backward
