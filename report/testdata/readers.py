"""Reads a workbook with openpyxl for report's tests, as a reader other
than excelize would.

    readers.py dump WORKBOOK [--values]   print every sheet's cells as JSON
    readers.py weights IN OUT NAME=VALUE...  set the cells that defined
                                             names point to, save as OUT

dump prints {"sheets": [names in order], "names": {defined name: target},
"cells": {sheet: [[row, column, data type, value], ...]}}; data type is
openpyxl's ("s" text, "n" number, "f" formula, ...). With --values the
values are those saved with the formulas (openpyxl does not calculate).
"""

import datetime
import json
import sys

import openpyxl


def jsonable(v):
    if v is None or isinstance(v, (bool, int, float, str)):
        return v
    if isinstance(v, (datetime.datetime, datetime.date, datetime.time)):
        return v.isoformat()
    return str(v)


def defined_names(wb):
    """Returns the workbook-level defined names, in openpyxl 3.0 and 3.1."""
    dns = wb.defined_names
    if hasattr(dns, "definedName"):  # openpyxl 3.0
        return list(dns.definedName)
    return list(dns.values())


def dump(path, values):
    wb = openpyxl.load_workbook(path, data_only=values)
    names = {}
    for dn in defined_names(wb):
        if dn.localSheetId is None:
            names[dn.name] = dn.attr_text
    cells = {}
    for ws in wb.worksheets:
        out = []
        for row in ws.iter_rows():
            for c in row:
                if c.value is None:
                    continue
                out.append([c.row, c.column, c.data_type, jsonable(c.value)])
        cells[ws.title] = out
    json.dump({"sheets": wb.sheetnames, "names": names, "cells": cells}, sys.stdout)


def weights(src, dst, pairs):
    wb = openpyxl.load_workbook(src)
    for pair in pairs:
        name, value = pair.split("=", 1)
        dn = [d for d in defined_names(wb) if d.name == name][0]
        sheet, ref = list(dn.destinations)[0]
        wb[sheet][ref.replace("$", "")] = float(value)
    wb.save(dst)


def main(args):
    if args[0] == "dump":
        dump(args[1], "--values" in args[2:])
    elif args[0] == "weights":
        weights(args[1], args[2], args[3:])
    else:
        sys.exit("unknown command " + args[0])


if __name__ == "__main__":
    main(sys.argv[1:])
