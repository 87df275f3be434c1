"""Ground truth for Housekeeper's schedule math: reads schedule cases (JSON on stdin) and prints, for
each case, what the installed Prefect server code computes: the stored (normalised) schedule, the next
occurrences from several start times (`_get_dates_generator`, the scheduler's own generator) and how
many runs one scheduler pass keeps under several settings (the loop in
`models/deployments.py::_generate_scheduled_flow_runs`, restated below line for line).

Run through scripts/gen-schedule-fixture.mjs, which writes test/fixtures/schedule-dates.json.
"""
import datetime
import json
import sys

from prefect.server.schemas.actions import DeploymentScheduleCreate


def us(d: datetime.datetime) -> int:
    delta = d.astimezone(datetime.timezone.utc) - datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)
    return (delta.days * 86400 + delta.seconds) * 1_000_000 + delta.microseconds


def one(d):
    return {"iso": d.isoformat(), "us": us(d)}


def kept(schedule, start, s):
    # models/deployments.py _generate_scheduled_flow_runs, per schedule
    dates = []
    end = start + datetime.timedelta(seconds=s["max_scheduled_time"])
    min_time = datetime.timedelta(seconds=s["min_scheduled_time"])
    for dt in schedule._get_dates_generator(n=s["max_runs"], start=start, end=end):
        dates.append(dt)
        if len(dates) >= s["min_runs"] and dt >= (start + min_time):
            break
    return dates


def main():
    spec = json.load(sys.stdin)
    out = []
    for case in spec["cases"]:
        created = DeploymentScheduleCreate(schedule=case["schedule"])
        schedule = created.schedule
        stored = schedule.model_dump(mode="json")
        runs = []
        for start_text in spec["starts"]:
            start = datetime.datetime.fromisoformat(start_text)
            nxt = [one(d) for d in schedule._get_dates_generator(n=12, start=start)]
            per_settings = {}
            for s in spec["settings"]:
                ds = kept(schedule, start, s)
                per_settings[s["name"]] = {
                    "count": len(ds),
                    "head": [one(d) for d in ds[:3]],
                    "tail": [one(d) for d in ds[-3:]],
                }
            runs.append({"start": start_text, "next": nxt, "kept": per_settings})
        out.append({"name": case["name"], "input": case["schedule"], "stored": stored, "runs": runs})
    json.dump(out, sys.stdout)


main()
