// A Worker with no package, for the cold-start comparison: it answers the same first request
// (list the checkpoints of a group) with bare pre-signed fetches.
import { floorList } from "./floor.js";

export default {
  async fetch(request) {
    const b = await request.json();
    return Response.json({ ok: true, got: await floorList(b, b.ns) });
  },
};
