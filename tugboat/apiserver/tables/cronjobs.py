"""CronJob columns, as kubectl's printCronJob: NAME SCHEDULE TIMEZONE SUSPEND ACTIVE
LAST SCHEDULE AGE, and with -o wide the Job template's containers, images and selector.
An unset time zone or a CronJob never scheduled prints `<none>`; an unset suspend
`<unset>` (printBoolPtr)."""

from __future__ import annotations

from tugboat.apiserver.tables.cells import (
    CONTAINERS_COLUMN,
    IMAGES_COLUMN,
    Cell,
    Obj,
    Printer,
    age,
    age_column,
    column,
    format_selector,
    get,
    name,
    name_column,
    since,
)

CRONJOB_COLUMNS = (
    name_column(),
    column("Schedule", "The schedule in Cron format, see https://en.wikipedia.org/wiki/Cron."),
    column("Timezone", "The time zone name for the given schedule, see "
                       "https://en.wikipedia.org/wiki/List_of_tz_database_time_zones."),
    column("Suspend", "This flag tells the controller to suspend subsequent executions, it "
                      "does not apply to already started executions.  Defaults to false.",
           type="boolean"),
    column("Active", "A list of pointers to currently running jobs.", type="integer"),
    column("Last Schedule", "Information when was the last time the job was successfully "
                            "scheduled."),
    age_column(),
    CONTAINERS_COLUMN,
    IMAGES_COLUMN,
    column("Selector", "A label query over pods that should match the pod count. Normally, "
                       "the system sets this field for you.", priority=1),
)


def cronjob_cells(cj: Obj, now: float) -> list[Cell]:
    suspend = get(cj, "spec", "suspend")
    last = get(cj, "status", "lastScheduleTime")
    template = get(cj, "spec", "jobTemplate", "spec") or {}
    containers = get(template, "template", "spec", "containers") or []
    return [
        name(cj),
        get(cj, "spec", "schedule") or "",
        get(cj, "spec", "timeZone") or "<none>",
        "<unset>" if suspend is None else ("True" if suspend else "False"),
        len(get(cj, "status", "active") or []),
        since(last, now) if last else "<none>",
        age(cj, now),
        ",".join(c.get("name", "") for c in containers),
        ",".join(c.get("image", "") for c in containers),
        format_selector(template.get("selector")),
    ]


PRINTERS = {"cronjobs": Printer(CRONJOB_COLUMNS, cronjob_cells)}
