"""Drives the official Python store (azure-eventhub-checkpointstoreblob-aio) for the interop suite.

Usage: python3 py_store.py '<json>' where json is
  {"conn": ..., "container": ..., "ops": [{"op": "claim", "ownerships": [...]},
                                         {"op": "list_ownership", "group": [ns, eh, cg]},
                                         {"op": "update_checkpoint", "checkpoint": {...}},
                                         {"op": "list_checkpoints", "group": [ns, eh, cg]}]}
Prints a JSON list with one result per op. Field names are the Python store's own.
"""
import asyncio
import json
import sys

from azure.eventhub.extensions.checkpointstoreblobaio import BlobCheckpointStore


async def main(spec):
    results = []
    async with BlobCheckpointStore.from_connection_string(spec["conn"], spec["container"]) as store:
        for op in spec["ops"]:
            kind = op["op"]
            if kind == "claim":
                results.append(list(await store.claim_ownership(op["ownerships"])))
            elif kind == "list_ownership":
                results.append(list(await store.list_ownership(*op["group"])))
            elif kind == "update_checkpoint":
                await store.update_checkpoint(op["checkpoint"])
                results.append(None)
            elif kind == "list_checkpoints":
                results.append(list(await store.list_checkpoints(*op["group"])))
            else:
                raise ValueError(kind)
    print(json.dumps(results))


asyncio.run(main(json.loads(sys.argv[1])))
