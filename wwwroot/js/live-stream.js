// The live stream client shared by the attendee page and the staff console: one SignalR connection to
// /hubs/live, joined to one stream, applying every change exactly once and in order.
//
// The apply rule (see LiveContracts.cs, LiveChanges): every message covers the stream's changes numbered
// in (after, through]. If a message starts after the last change this client applied, something was
// missed: fetch the missing range over HTTP and apply that instead. Each post is applied only if its
// changeSequence is newer than the version already held, so repeats are harmless. Then the client is
// complete up to `through`. After a reconnect it joins again with the last change it applied.
//
// Needs the browser SignalR client (/lib/signalr/signalr.min.js, installed from npm by the build).

const RETRY_DELAYS = [0, 1000, 2000, 5000, 10000, 15000];

export const Status = Object.freeze({
    connecting: "connecting",
    live: "live",
    reconnecting: "reconnecting",
    offline: "offline",
    /** The coverage is no longer public (unpublished or removed): the client has stopped for good. */
    closed: "closed",
});

/** The hub's error for a stream that is not (or no longer) public: retrying cannot help. */
const UNAVAILABLE = "stream-unavailable:";

function signalRLibrary() {
    if (window.signalR) {
        return Promise.resolve(window.signalR);
    }
    // The library is a deferred classic script; it normally runs before this module, but wait for it if not.
    return new Promise((resolve, reject) => {
        window.addEventListener("load", () => (window.signalR ? resolve(window.signalR) : reject(new Error("The SignalR client did not load."))), { once: true });
    });
}

function isUnavailable(error) {
    return typeof error?.message === "string" && error.message.includes(UNAVAILABLE);
}

export class LiveStreamClient {
    /**
     * @param {object} options
     * @param {string} options.stream  the stream id (or "event:{slug}" / "session:{id}")
     * @param {number} [options.lastApplied]  the change the page already shows (data-through), 0 for none
     * @param {(change: {posts: object[], stream: object, through: number}) => void} options.onChanges
     *        called with the posts that changed (newest version of each, tombstones included), in order
     * @param {(status: string, detail?: string) => void} [options.onStatus]
     */
    constructor({ stream, lastApplied = 0, onChanges, onStatus = () => {}, onReset = () => window.location.reload(), onQuestions = null, onJoined = null }) {
        /** Audience questions: each message is the whole approved list; after every (re)join the page reads it again. */
        this.onQuestions = onQuestions;
        this.onJoined = onJoined;
        this.stream = stream;
        this.streamId = /^[0-9a-f-]{36}$/i.test(stream) ? stream.toLowerCase() : null;
        this.lastApplied = lastApplied;
        this.onReset = onReset;
        this.onChanges = onChanges;
        this.onStatus = onStatus;
        /** Post id → the changeSequence of the version applied. Tombstones stay, so nothing comes back. */
        this.known = new Map();
        this.queue = Promise.resolve();
        this.connection = null;
        this.status = null;
        this.attempt = 0;
        this.retryTimer = 0;
        this.wantConnected = false;
        this.joined = false;
    }

    /** Records a post the page already shows (rendered on the server). */
    seed(postId, changeSequence) {
        const id = postId.toLowerCase();
        this.known.set(id, Math.max(this.known.get(id) ?? 0, Number(changeSequence) || 0));
    }

    setStatus(status, detail) {
        if (this.status !== status || detail) {
            this.status = status;
            this.onStatus(status, detail);
        }
    }

    async start() {
        const signalR = await signalRLibrary();
        this.connection = new signalR.HubConnectionBuilder()
            .withUrl("/hubs/live")
            // Keep trying while the network is there; the offline/online events cover the rest.
            .withAutomaticReconnect({ nextRetryDelayInMilliseconds: (context) => RETRY_DELAYS[Math.min(context.previousRetryCount, RETRY_DELAYS.length - 1)] })
            .configureLogging(signalR.LogLevel.None)
            .build();
        this.connection.on("changes", (message) => this.enqueue(message));
        this.connection.on("questions", (message) => this.onQuestions?.(message));
        this.connection.on("closed", (message) => {
            if (!this.streamId || !message?.streamId || message.streamId.toLowerCase() === this.streamId) {
                this.close(message?.reason);
            }
        });
        this.connection.onreconnecting(() => {
            this.joined = false;
            this.setStatus(navigator.onLine ? Status.reconnecting : Status.offline);
        });
        this.connection.onreconnected(() => this.join().catch((error) => (isUnavailable(error) ? this.close() : this.restartSoon())));
        this.connection.onclose(() => {
            this.joined = false;
            if (this.wantConnected) {
                this.restartSoon();
            }
        });

        window.addEventListener("offline", () => this.goOffline());
        window.addEventListener("online", () => this.comeBack());
        this.wantConnected = true;
        this.setStatus(Status.connecting);
        await this.connect();
    }

    async connect() {
        clearTimeout(this.retryTimer);
        if (!this.wantConnected || !this.connection) {
            return;
        }
        if (!navigator.onLine) {
            this.setStatus(Status.offline);
            return;
        }
        if (this.connection.state === "Disconnected") {
            try {
                await this.connection.start();
            } catch {
                this.restartSoon();
                return;
            }
        }
        if (this.connection.state === "Connected" && !this.joined) {
            try {
                await this.join();
            } catch (error) {
                if (isUnavailable(error)) {
                    this.close();
                    return;
                }
                this.setStatus(Status.reconnecting, error?.message);
                this.restartSoon();
            }
        }
    }

    /** The stream is gone from public view: stop for good (no retries) and say so. */
    close(reason) {
        clearTimeout(this.retryTimer);
        this.wantConnected = false;
        this.joined = false;
        this.closed = true;
        this.connection?.stop().catch(() => {});
        this.setStatus(Status.closed, reason);
    }

    restartSoon() {
        clearTimeout(this.retryTimer);
        if (!this.wantConnected) {
            return;
        }
        if (!navigator.onLine) {
            this.setStatus(Status.offline);
            return;
        }
        this.setStatus(this.everJoined ? Status.reconnecting : Status.connecting);
        const delay = RETRY_DELAYS[Math.min(++this.attempt, RETRY_DELAYS.length - 1)];
        this.retryTimer = setTimeout(() => this.connect(), delay);
    }

    async join() {
        const message = await this.connection.invoke("Join", this.streamId ?? this.stream, this.lastApplied);
        this.streamId = message.streamId.toLowerCase();
        this.joined = true;
        this.everJoined = true;
        this.attempt = 0;
        await this.enqueue(message);
        this.setStatus(Status.live);
        this.onJoined?.();
    }

    /**
     * The browser says the network is gone: stop the connection now rather than wait for a timeout
     * (an emulated or flaky network may keep a dead WebSocket looking open), and rejoin when it is back.
     */
    goOffline() {
        if (this.closed) {
            return;
        }
        clearTimeout(this.retryTimer);
        this.setStatus(Status.offline);
        this.joined = false;
        if (this.connection && this.connection.state !== "Disconnected") {
            this.pausedByOffline = true;
            this.wantConnected = false;
            this.connection.stop().catch(() => {}).finally(() => {
                this.wantConnected = true;
                this.pausedByOffline = false;
                if (navigator.onLine) {
                    this.connect();
                }
            });
        }
    }

    comeBack() {
        if (this.pausedByOffline || this.closed) {
            return; // the stop in progress reconnects when it finishes
        }
        this.attempt = 0;
        this.setStatus(this.everJoined ? Status.reconnecting : Status.connecting);
        this.connect();
    }

    /** Leaves the current stream and joins another (the staff console's stream picker). */
    async switchTo(stream) {
        const previous = this.streamId;
        this.stream = stream;
        this.streamId = /^[0-9a-f-]{36}$/i.test(stream) ? stream.toLowerCase() : null;
        this.lastApplied = 0;
        this.known = new Map();
        this.joined = false;
        if (this.connection?.state === "Connected") {
            if (previous) {
                await this.connection.invoke("Leave", previous).catch(() => {});
            }
            await this.join();
        }
    }

    /** Messages are applied one at a time, in arrival order (a catch-up fetch holds back later pushes). */
    enqueue(message) {
        this.queue = this.queue.then(() => this.apply(message)).catch((error) => console.warn("Could not apply live changes:", error));
        return this.queue;
    }

    async apply(message) {
        if (!message || (this.streamId && message.streamId.toLowerCase() !== this.streamId)) {
            return; // a push for a stream this client has left
        }
        if (message.reset) {
            // The server has fewer changes than this client applied (restored or re-seeded): start over.
            this.known = new Map();
            this.lastApplied = 0;
            this.onReset();
        }
        if (message.after > this.lastApplied) {
            // A gap: changes (lastApplied, message.after] never arrived. Fetch everything since lastApplied.
            message = await this.fetchSince(this.lastApplied);
            if (!message) {
                return; // offline: the next message or the next join catches up
            }
        }
        const applied = [];
        for (const post of message.posts) {
            const id = post.id.toLowerCase();
            if (post.changeSequence > (this.known.get(id) ?? 0)) {
                this.known.set(id, post.changeSequence);
                applied.push(post);
            }
        }
        this.lastApplied = Math.max(this.lastApplied, message.through);
        this.onChanges({ posts: applied, stream: message.stream, through: this.lastApplied });
    }

    async fetchSince(after) {
        try {
            const response = await fetch(`/api/streams/${encodeURIComponent(this.streamId)}/posts?after=${after}`, {
                headers: { Accept: "application/json" },
                cache: "no-store",
                credentials: "same-origin",
            });
            return response.ok ? await response.json() : null;
        } catch {
            return null;
        }
    }
}
