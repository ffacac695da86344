// Shared by every entry: the store's end of life as JS sees it.
// - `await using store = new BlobCheckpointStore(...)`: Symbol.asyncDispose closes the store and
//   frees its wasm memory when the block ends.
// - After free() (also what wasm-bindgen's Symbol.dispose calls) the wasm object is gone; the glue
//   would then throw "null pointer passed to rust" synchronously. Instead every call rejects with
//   the error close() leads to; close(), free() and disposal again are no-ops.
// One property read per call: the glue zeroes `__wbg_ptr` when it frees the object.
import { BlobCheckpointStore } from "./wasm/checkpointstore.js";

const proto = BlobCheckpointStore.prototype;

/** The error of calls on a closed store (StoreError::Closed in src/error.rs, src/wasm/convert.rs). */
function closedError() {
  const e = new Error("The BlobCheckpointStore is closed.");
  e.code = "StoreClosed";
  return e;
}

const freeWasm = proto.free;
for (const name of Object.getOwnPropertyNames(proto)) {
  const desc = Object.getOwnPropertyDescriptor(proto, name);
  // Skipped: the glue's own helpers (`__destroy_into_raw`, ...) and free, wrapped below.
  if (name === "constructor" || name === "free" || name.startsWith("__") || typeof desc.value !== "function") continue;
  const method = desc.value;
  const freed = name === "close" ? () => Promise.resolve() : () => Promise.reject(closedError());
  // An object literal's method keeps the name (and stays non-constructible), as the glue's did.
  desc.value = {
    [name](...args) {
      if (this?.__wbg_ptr === 0) return freed();
      // Called on something that is not a live store, the glue throws synchronously: reject.
      try {
        return method.apply(this, args);
      } catch (e) {
        return Promise.reject(e);
      }
    },
  }[name];
  Object.defineProperty(proto, name, desc);
}

Object.defineProperty(proto, "free", {
  value: function free() {
    if (this.__wbg_ptr !== 0) freeWasm.call(this);
  },
  writable: true,
  configurable: true,
});
// Calls under way keep what they need alive (the Rust side holds it by reference count), so
// freeing right after close() lets them finish.
if (typeof Symbol.asyncDispose === "symbol") {
  Object.defineProperty(proto, Symbol.asyncDispose, {
    value: async function asyncDispose() {
      if (this.__wbg_ptr === 0) return;
      await this.close();
      this.free();
    },
    writable: true,
    configurable: true,
  });
}
if (typeof Symbol.dispose === "symbol") {
  Object.defineProperty(proto, Symbol.dispose, { value: proto.free, writable: true, configurable: true });
}

export { BlobCheckpointStore };
