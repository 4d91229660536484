extension DashboardTemplates {
    /// The overview: tasks by state, the three charts, and each queue's counts with its pause button. The
    /// part marked `data-live` is refreshed by the script.
    static let overview = """
        <h1>Overview</h1>
        <p class="note"><span id="live-status" class="live-status"></span></p>
        <div id="overview-live" data-live>
        <section class="totals" aria-label="Tasks by state">
        {{#totals}}<a class="total" href="{{href}}"><span class="state state-{{state}}">{{state}}</span><strong>{{count}}</strong></a>
        {{/totals}}
        </section>
        <p class="note">Counted at {{countedAt}} UTC. {{incoming}} drops waiting in incoming/,
        <a href="/dashboard/rejected">{{rejected}} rejected</a>.</p>
        <h2>Throughput, failures and lateness</h2>
        <div class="charts">
        {{#charts}}<figure><figcaption>{{title}}</figcaption>{{{svg}}}<p class="note">{{caption}}</p></figure>
        {{/charts}}
        </div>
        <p class="note">{{historyNote}}</p>
        <h2>Queues</h2>
        {{#hasQueues}}
        <div class="table-wrap"><table class="stack">
        <thead><tr><th>Queue</th>{{#stateNames}}<th class="number">{{.}}</th>{{/stateNames}}<th class="hide-narrow">Oldest wait</th>
        <th class="number hide-narrow">Done 1 h</th><th class="number hide-narrow">Dead 1 h</th><th></th></tr></thead>
        <tbody>
        {{#queues}}<tr>
        <td><a href="{{href}}">{{name}}</a>{{#paused}}<br><span class="paused">paused</span>{{/paused}}</td>
        {{#counts}}<td class="number count" data-label="{{state}}"><a href="{{href}}">{{count}}</a></td>{{/counts}}
        <td class="hide-narrow">{{oldestWait}}</td>
        <td class="number hide-narrow">{{doneLastHour}}</td><td class="number hide-narrow">{{deadLastHour}}</td>
        <td><form class="inline" method="post" action="/dashboard/queues/{{name}}/{{action}}">
        <input type="hidden" name="csrf" value="{{csrf}}"><button class="quiet" type="submit">{{action}}</button></form></td>
        </tr>
        {{/queues}}
        </tbody>
        </table></div>
        {{/hasQueues}}
        {{^hasQueues}}<p class="card">No queue holds a task yet: <a href="/dashboard/enqueue">enqueue one</a>.</p>{{/hasQueues}}
        </div>

        """
}
