//! A small guide made of real questions of `guides/python-django` (titles, levels, key points
//! and their `Words:` copied as they are; follow-ups limited to questions present here), and
//! real answers to them.

use mastery_content::Guide;

use crate::test_guide;

/// The fixture guide: sections `core-python`, `django`, `asyncio`, `security-scaling`.
pub(super) fn guide() -> Guide {
    test_guide::guide(&[
        (
            "core-python",
            r#"## What is the Global Interpreter Lock, and what do PEP 703 and PEP 779 change?

id: gil
level: senior
follow-ups: gil-release, free-threading

The model answer.

### Key points

- The GIL lets only one thread at a time execute Python bytecode in an interpreter.
  Words: one thread | single thread | only one, bytecode | python code | at a time
- It protects CPython's internals, chiefly non-atomic reference counting, not your code.
  Words: reference count | refcount | memory management | internals
- Threads still help I/O-bound work because blocking calls release the GIL; CPU-bound pure Python does not scale.
  Words: i/o | io bound | blocking, cpu bound | cpu-bound
- The GIL does not make compound operations like `+=` atomic; you still need locks.
  Words: race | not thread-safe | not atomic | lock
- PEP 703 added an optional free-threaded build in 3.13 (experimental); PEP 779 made it officially supported in 3.14, but it is not the default.
  Words: pep 703 | free-threaded | free threading | nogil, pep 779 | supported | 3.14, optional | not the default | separate build
- Free threading keeps reference counting (biased and deferred) and adds per-object locking; it costs some single-thread speed.
  Words: biased | deferred | per-object lock | reference counting, overhead | slower | single-thread

### References

- [R](https://docs.python.org/)

## When does CPython release the GIL, and why do I/O-bound threads still scale?

id: gil-release
level: senior
follow-ups: free-threading

The model answer.

### Key points

- Blocking I/O system calls release the GIL, so other threads run while one waits.
  Words: blocking | i/o | io | system call | socket | sleep, release | released | drops
- C extensions can release the GIL around pure C work (hashlib, zlib, NumPy), giving real parallelism.
  Words: c extension | extension | numpy | hashlib | zlib, parallel | multiple cores | release
- A waiting thread forces a switch after the switch interval, 5 ms by default.
  Words: switch interval | setswitchinterval | 5 ms | 5 milliseconds | 0.005
- Forced switching gives fairness between threads, not parallel execution of bytecode.
  Words: fairness | fair | not parallel | one at a time | interleave
- CPU-bound pure Python needs processes, C code, sub-interpreters or the free-threaded build.
  Words: multiprocessing | processes | processpoolexecutor | free-threaded | sub-interpreter | subinterpreter

### References

- [R](https://docs.python.org/)

## How do you use free-threaded CPython, and what breaks without the GIL?

id: free-threading
level: senior

The model answer.

### Key points

- Free threading is a separate build (`python3.14t`), detected with `Py_GIL_DISABLED` and `sys._is_gil_enabled()`.
  Words: separate build | 3.14t | 3.13t | disable-gil, py_gil_disabled | _is_gil_enabled | is_gil_enabled
- The GIL can be toggled at start-up with `PYTHON_GIL` or `-X gil`.
  Words: python_gil | -x gil | x gil
- Biased and deferred reference counting replace the GIL's protection of refcounts.
  Words: biased | deferred | atomic, reference count | refcount
- Built-in containers use per-object locks, but your compound operations still need explicit locks.
  Words: per-object lock | internal lock | critical section, threading.lock | lock | race
- Extension modules must declare support, otherwise importing them re-enables the GIL; wheels need the free-threaded ABI.
  Words: extension | c extension | py_mod_gil, re-enable | reenable | turns the gil back on | abi | wheel
- Single-thread overhead is about 5-10% in 3.14 (about 40% in 3.13); it pays off for CPU-bound threads sharing memory.
  Words: overhead | slower | penalty, cpu-bound | cpu bound | shared memory

### References

- [R](https://docs.python.org/)
"#
                .to_owned(),
        ),
        (
            "django",
            r#"## Compare `select_related` and `prefetch_related`. When does each one help, and how can prefetching still go wrong?

id: select-vs-prefetch-related
level: senior
follow-ups: only-defer-values

The model answer.

### Key points

- `select_related` follows single-valued relations (forward FK, one-to-one) with a SQL JOIN in one query.
  Words: select_related, JOIN, foreign key | ForeignKey | one-to-one | single-valued
- `prefetch_related` runs a separate query per relation with `IN` and joins the results in Python.
  Words: prefetch_related, separate query | extra query | second query | IN, Python
- `prefetch_related` is required for reverse FK and many-to-many, where a JOIN would multiply rows.
  Words: many-to-many | ManyToMany | reverse, duplicate | multiply | rows
- `Prefetch` objects customise the related queryset and can store results with `to_attr`.
  Words: Prefetch, queryset | to_attr | filter
- Filtering a prefetched relation (`.filter()`, `.first()`) ignores the cache and queries again per object.
  Words: filter | first | order_by, new query | ignores | cache | again
- Trade-offs: JOINs make wide, duplicated rows; prefetch adds a round trip and large `IN` lists.
  Words: wide | duplicated | JOINs, round trip | IN list | extra query

### References

- [R](https://docs.python.org/)

## How do `only()`, `defer()`, `values()` and database indexes change what a query costs? Where do they backfire?

id: only-defer-values
level: senior

The model answer.

### Key points

- `only()` and `defer()` load a subset of columns but still build model instances.
  Words: only, defer, columns | fields
- Accessing a deferred field triggers one extra query per instance, a hidden N+1.
  Words: deferred, extra query | one query per | per instance | N+1
- `values()` and `values_list()` return dicts or tuples and skip model instantiation, making them cheapest for read-only data.
  Words: values | values_list, dict | tuple, instance | instantiation | model objects
- `iterator()`, `exists()`, `count()` and `aggregate()` avoid loading or caching whole result sets.
  Words: iterator | exists | count | aggregate
- Indexes in `Meta.indexes` (composite, partial with `condition`, covering) must match the filters and ordering; verify with `explain()`.
  Words: index | Meta.indexes | db_index, explain | filter | order
- Every index costs write speed and storage, so add them for measured slow queries.
  Words: write | insert | storage | space, cost | slower | overhead

### References

- [R](https://docs.python.org/)
"#
                .to_owned(),
        ),
        (
            "asyncio",
            r#"## How does `asyncio.gather` behave, and what happens when one awaitable fails?

id: asyncio-gather
level: confirmed
follow-ups: asyncio-taskgroup

The model answer.

### Key points

- `gather` runs awaitables concurrently and returns results in argument order.
  Words: concurrently | concurrent, order | ordered | same order
- By default the first exception propagates but the other awaitables are not cancelled and keep running.
  Words: first exception | propagates | raised, not cancelled | keep running | continue
- With `return_exceptions=True` exceptions are returned as values in the result list.
  Words: return_exceptions
- Cancelling the gather cancels all unfinished children.
  Words: cancel | cancelled | cancels, children | all | unfinished
- TaskGroup is the stricter alternative that cancels siblings on failure.
  Words: TaskGroup | task group, cancel | cancels | cancelled
- Bound concurrency with a Semaphore; gather starts everything at once.
  Words: Semaphore | limit | bounded

### References

- [R](https://docs.python.org/)

## What does `asyncio.TaskGroup` add over `gather`, and how do exception groups work with it?

id: asyncio-taskgroup
level: senior

The model answer.

### Key points

- TaskGroup gives structured concurrency: tasks cannot outlive the `async with` block, which waits for all of them.
  Words: structured concurrency | async with | block, wait | waits | outlive
- The first failure cancels the remaining tasks in the group.
  Words: cancel | cancels | cancelled, remaining | siblings | other tasks
- All failures are raised together in an ExceptionGroup (PEP 654).
  Words: ExceptionGroup | exception group | PEP 654
- `except*` handles exception groups by type.
  Words: except* | except star
- The group keeps strong references to its tasks.
  Words: reference | references
- There is no `return_exceptions`: handle expected errors inside each task.
  Words: return_exceptions | inside the task | inside each task | catch

### References

- [R](https://docs.python.org/)
"#
                .to_owned(),
        ),
        (
            "security-scaling",
            r#"## How do you protect a Django + React single-page app against CSRF and XSS?

id: csrf-xss-spa
level: senior

The model answer.

### Key points

- XSS runs in your origin and defeats CSRF protection, so preventing XSS comes first.
  Words: XSS, same origin | your origin | defeats | bypass | read the token
- The SPA sends the `csrftoken` cookie value back in the `X-CSRFToken` header on unsafe requests, checked by `CsrfViewMiddleware`.
  Words: X-CSRFToken | header, csrftoken | cookie | CsrfViewMiddleware
- `CSRF_COOKIE_HTTPONLY` defaults to False deliberately: making it HttpOnly adds practically no protection.
  Words: CSRF_COOKIE_HTTPONLY | HttpOnly, False | default | little | no practical
- Django checks the Origin header against `CSRF_TRUSTED_ORIGINS` (full origins with scheme).
  Words: Origin | Referer, CSRF_TRUSTED_ORIGINS | trusted origins
- SameSite=Lax cookies are defence in depth, not a replacement for tokens.
  Words: SameSite, Lax | defence in depth | defense in depth | not enough | not a replacement
- React escapes by default; `dangerouslySetInnerHTML`, `javascript:` URLs and `|safe`/`mark_safe` are the holes.
  Words: dangerouslySetInnerHTML | mark_safe | safe | innerHTML, escape | escaping | sanitize | DOMPurify
- A nonce-based Content-Security-Policy blocks injected scripts; Django 6.0 ships `ContentSecurityPolicyMiddleware` and `SECURE_CSP`.
  Words: Content-Security-Policy | CSP, nonce | SECURE_CSP | script-src | unsafe-inline
- The session cookie is HttpOnly by default, so injected scripts cannot read the session id.
  Words: session cookie | SESSION_COOKIE_HTTPONLY, HttpOnly

### References

- [R](https://docs.python.org/)
"#
                .to_owned(),
        ),
    ])
}

/// A complete answer to `gil`: every key point, in sentences.
pub(super) const GIL_COMPLETE: &str = "The GIL is a mutex inside CPython that lets only one \
thread at a time execute Python bytecode in an interpreter. It exists to protect the \
interpreter's internals, mainly reference counting, which is not atomic. Threads still help \
for I/O-bound work, because blocking calls release the GIL while they wait, but CPU-bound \
pure Python code does not scale across cores. The GIL does not make your own code \
thread-safe: x += 1 is not atomic, so you still need a lock to avoid a race. PEP 703 added \
an optional free-threaded build in Python 3.13, and PEP 779 made it officially supported in \
3.14, although it is not the default. The free-threaded build keeps reference counting but \
makes it biased and deferred, adds per-object locks, and costs some single-thread \
performance as overhead.";

/// A partial answer to `gil`: points 1 and 2 only.
pub(super) const GIL_PARTIAL: &str = "The GIL means only one thread at a time can run Python \
bytecode, so threads do not speed up CPU-bound code. It exists because CPython's reference \
counting would otherwise break.";

/// A wrong answer to `gil`.
pub(super) const GIL_WRONG: &str = "The GIL is a garbage collector that frees memory when \
objects are no longer used, and it makes Python code run faster on many cores.";

/// Every key word of `gil`, as a list after a colon.
pub(super) const GIL_STUFFED: &str = "GIL: one thread, bytecode, reference count, internals, \
I/O, blocking, CPU-bound, race, lock, not atomic, PEP 703, free-threaded, PEP 779, \
supported, 3.14, optional, not the default, biased, deferred, per-object lock, overhead, \
single-thread.";

/// Every key point of `gil` as a bullet list of short fragments.
pub(super) const GIL_BULLETS: &str = "- one thread executes bytecode\n- reference count\n\
- I/O and blocking\n- CPU-bound\n- race and lock\n- PEP 703, PEP 779, optional\n\
- biased, overhead\n";

/// A complete answer to `gil-release`, with "releases", "drop" and "sub-interpreters".
pub(super) const GIL_RELEASE_COMPLETE: &str = "CPython releases the GIL around blocking I/O \
system calls such as socket reads or sleep, so other threads run while one thread waits. C \
extensions like hashlib, zlib or NumPy can also release it around pure C work, which gives \
real parallel execution on multiple cores. When another thread is waiting, the running \
thread is asked to drop the GIL after the switch interval, which is 5 ms by default. That \
forced switching is about fairness between threads; bytecode still runs one at a time, not \
in parallel. For CPU-bound pure Python you need multiprocessing, C code, sub-interpreters \
or the free-threaded build.";

/// A complete answer to `free-threading`.
pub(super) const FREE_THREADING_COMPLETE: &str = "Free threading is a separate build, \
python3.14t, and you can detect it with Py_GIL_DISABLED in sysconfig or \
sys._is_gil_enabled() at run time. The GIL can still be switched on at start-up with the \
PYTHON_GIL environment variable or with -X gil. Instead of the GIL, reference counting \
becomes biased and deferred so that the refcount stays correct across threads. Built-in \
containers like dict and list use per-object locks internally, but your own compound \
operations still need a threading.Lock to avoid a race. Extension modules have to declare \
that they support running without the GIL, otherwise importing them re-enables it, and \
wheels must be built for the free-threaded ABI. Single-thread code pays an overhead of \
about 5 to 10 percent in 3.14, which pays off for CPU-bound threads that share memory.";

/// A complete answer to `select-vs-prefetch-related`.
pub(super) const SELECT_COMPLETE: &str = "select_related follows single-valued relations, a \
forward foreign key or a one-to-one, and fetches them with a SQL JOIN in the same query. \
prefetch_related instead runs a separate query for each relation, using an IN clause on the \
primary keys, and joins the results in Python. You need prefetch_related for reverse foreign \
keys and many-to-many relations, because a JOIN there would multiply the rows. A Prefetch \
object lets you customise the related queryset, for example filter it, and store the result \
with to_attr. Be careful: calling .filter() or .first() on a prefetched relation ignores the \
cache and runs a new query for every object. The trade-off is that JOINs return wide, \
duplicated rows, while prefetching costs an extra round trip and can build a very large IN \
list.";

/// A partial answer to `select-vs-prefetch-related`, in capitals and with punctuation.
pub(super) const SELECT_PARTIAL: &str = "SELECT_RELATED does a JOIN on Foreign-Keys, so \
everything comes back in one query... while PREFETCH_RELATED runs a second query and joins \
the data in Python!";

/// A wrong answer to `select-vs-prefetch-related`.
pub(super) const SELECT_WRONG: &str = "select_related caches the whole table in memory, and \
prefetch_related is just an alias for it that Django keeps for backwards compatibility.";

/// A complete answer to `csrf-xss-spa`.
pub(super) const CSRF_COMPLETE: &str = "XSS comes first, because a script injected into your \
origin can read the token and defeats any CSRF protection. The React SPA reads the csrftoken \
cookie and sends its value back in the X-CSRFToken header on unsafe requests, and \
CsrfViewMiddleware checks it. CSRF_COOKIE_HTTPONLY is False by default on purpose: making \
that cookie HttpOnly gives little real protection. Django also checks the Origin header \
against CSRF_TRUSTED_ORIGINS, which must list full origins with the scheme. SameSite=Lax \
cookies are defence in depth, not a replacement for the token. React escapes output by \
default, so the holes are dangerouslySetInnerHTML, javascript: URLs and mark_safe in \
templates. A nonce-based Content-Security-Policy blocks injected scripts; Django 6.0 has \
SECURE_CSP for it. Finally the session cookie is HttpOnly by default, so injected scripts \
cannot read the session id.";

/// A partial answer to `csrf-xss-spa`: point 2 only.
pub(super) const CSRF_PARTIAL: &str = "Django protects against CSRF with a token: the \
frontend sends the csrftoken cookie value in the X-CSRFToken header. For XSS, React \
escapes everything by default.";

/// A complete answer to `asyncio-gather`, with "cancelled", "cancels" and "bound".
pub(super) const GATHER_COMPLETE: &str = "asyncio.gather runs the awaitables concurrently and \
returns their results in the same order as the arguments, not in completion order. By \
default the first exception propagates to the caller, but the other awaitables are not \
cancelled and keep running in the background. With return_exceptions=True, exceptions are \
returned as values in the result list instead. If the gather itself is cancelled, it cancels \
all of its unfinished children. A TaskGroup is the stricter alternative because it cancels \
the sibling tasks when one fails. gather starts everything at once, so bound the concurrency \
with a Semaphore when there are many calls.";

/// An answer about something else entirely.
pub(super) const OFF_TOPIC: &str = "I would build the front end with React and TypeScript \
and deploy it behind a CDN, with a CI pipeline that runs the tests on every push.";
