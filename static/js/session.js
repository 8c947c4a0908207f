/* The warning before a session ends for lack of activity (accounts.middleware.IdleSessionMiddleware).
   The page says how many seconds are left (data-seconds-left); the warning shows data-warning-seconds before the
   end, with "Rester connecté", which posts to a light endpoint that counts as activity. htmx polls are not
   activity; what the user does through htmx (a POST) is, and restarts the count. No inline script (strict CSP). */
(function () {
  "use strict";

  document.addEventListener("DOMContentLoaded", function () {
    const box = document.getElementById("session-warning");
    if (!box) return;
    const warningSeconds = parseInt(box.dataset.warningSeconds, 10);
    const form = box.querySelector("form[data-session-ping]");
    let deadline = Date.now() + parseInt(box.dataset.secondsLeft, 10) * 1000;
    let shown = false;

    function setExpired(expired) {
      box.querySelectorAll("[data-session-active]").forEach((el) => el.classList.toggle("d-none", expired));
      box.querySelector("[data-session-expired]").classList.toggle("d-none", !expired);
    }

    function show() {
      if (shown) return;
      shown = true;
      box.classList.remove("d-none");
      const button = box.querySelector("button");
      if (button) button.focus();
    }

    function hide() {
      shown = false;
      box.classList.add("d-none");
      setExpired(false);
    }

    function restart(secondsLeft) {
      deadline = Date.now() + secondsLeft * 1000;
      hide();
    }

    function tick() {
      const left = (deadline - Date.now()) / 1000;
      if (left <= 0) {
        setExpired(true);
        show();
      } else if (left <= warningSeconds) {
        show();
      }
    }
    window.setInterval(tick, 5000);
    tick();

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      fetch(form.action, {
        method: "POST",
        body: new FormData(form),
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      })
        .then((response) => (response.ok ? response.json() : Promise.reject(response)))
        .then((data) => restart(data.seconds_left))
        .catch(() => {
          setExpired(true);
          show();
        });
    });

    // An htmx request the user made (not a GET poll) is activity on the server: the count restarts.
    document.addEventListener("htmx:afterRequest", function (event) {
      const config = event.detail.requestConfig;
      if (event.detail.successful && config && config.verb && config.verb.toLowerCase() !== "get") {
        restart(parseInt(box.dataset.idleSeconds, 10));
      }
    });
  });
})();
