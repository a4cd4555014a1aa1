// The questions board: approved questions in large type, newest first, operated from the keyboard only.
import { t } from "./strings.js";
import { LiveStreamClient, Status } from "./live-stream.js";
import { questionList } from "./live-questions.js";

const statusTexts = {
    [Status.connecting]: t("connecting"),
    [Status.live]: "",
    [Status.reconnecting]: t("reconnecting"),
    [Status.offline]: t("offlineShort"),
    [Status.closed]: t("closed"),
};

const board = document.getElementById("board");
if (board) {
    const connection = document.getElementById("board-connection");
    let selected = -1;
    let hideAnswered = false;

    const items = () => [...board.querySelectorAll("#questions-list > li")].filter((li) => !li.hidden);

    function select(index) {
        const all = items();
        for (const li of board.querySelectorAll("#questions-list > li")) {
            li.classList.remove("selected");
            li.removeAttribute("aria-current");
            li.tabIndex = -1;
        }
        if (all.length === 0) {
            selected = -1;
            return;
        }
        selected = Math.max(0, Math.min(index, all.length - 1));
        const li = all[selected];
        li.classList.add("selected");
        li.setAttribute("aria-current", "true");
        li.tabIndex = 0;
        li.focus({ preventScroll: false });
        li.scrollIntoView({ block: "nearest" });
    }

    function applyFilter() {
        for (const li of board.querySelectorAll("#questions-list > li")) {
            li.hidden = hideAnswered && li.classList.contains("answered");
        }
    }

    const questions = questionList(board, {
        streamId: board.dataset.streamId,
        revision: board.dataset.revision,
        onRendered: () => {
            const id = board.querySelector("li.selected")?.dataset.questionId;
            applyFilter();
            if (board.classList.contains("spotlight") || selected >= 0) {
                const index = items().findIndex((li) => li.dataset.questionId === id);
                select(index >= 0 ? index : 0);
            }
        },
    });

    document.addEventListener("keydown", (event) => {
        if (event.altKey || event.ctrlKey || event.metaKey) {
            return;
        }
        switch (event.key) {
            case "j":
            case "ArrowDown":
                select(selected + 1);
                break;
            case "k":
            case "ArrowUp":
                select(selected - 1);
                break;
            case "Home":
                select(0);
                break;
            case "End":
                select(items().length - 1);
                break;
            case "Enter":
                if (selected < 0) {
                    select(0);
                }
                board.classList.toggle("spotlight", selected >= 0);
                break;
            case "Escape":
                board.classList.remove("spotlight");
                break;
            case "h":
                hideAnswered = !hideAnswered;
                applyFilter();
                select(selected);
                break;
            case "f":
                if (document.fullscreenElement) {
                    document.exitFullscreen?.().catch(() => {});
                } else {
                    document.documentElement.requestFullscreen?.().catch(() => {});
                }
                break;
            default:
                return;
        }
        event.preventDefault();
    });

    const client = new LiveStreamClient({
        stream: board.dataset.streamId,
        lastApplied: Number(board.dataset.through) || 0,
        onChanges: () => {},
        onReset: () => {},
        onStatus: (status) => {
            board.dataset.connection = status;
            connection.textContent = statusTexts[status] ?? "";
        },
        onQuestions: questions.apply,
        onJoined: questions.refresh,
    });
    client.start().catch(() => {});
}
