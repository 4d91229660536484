extension DashboardAssets {
    /// `dashboard.css`: one column on a phone, more on a wide screen; light or dark as the system is.
    static let stylesheet = """
        :root {
          --bg: #f6f7f9; --fg: #1d232b; --muted: #5d6875; --card: #fff; --line: #dde2e8;
          --accent: #2458c6; --ok: #1d7f46; --bad: #b42323; --warn: #9a6100; --wait: #5b4bb7;
          color-scheme: light dark;
        }
        @media (prefers-color-scheme: dark) {
          :root {
            --bg: #14181d; --fg: #e4e8ee; --muted: #9aa5b1; --card: #1c2229; --line: #313a44;
            --accent: #7aa5ff; --ok: #4cc37f; --bad: #ff7676; --warn: #e0a640; --wait: #a79bff;
          }
        }
        * { box-sizing: border-box; }
        body { margin: 0; background: var(--bg); color: var(--fg);
          font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
        a { color: var(--accent); }
        header.top { display: flex; flex-wrap: wrap; align-items: center; gap: .5rem 1rem;
          padding: .6rem 1rem; background: var(--card); border-bottom: 1px solid var(--line); }
        .brand { font-weight: 700; font-size: 1.1rem; text-decoration: none; color: var(--fg); }
        nav { display: flex; flex-wrap: wrap; gap: .25rem .9rem; flex: 1; }
        header.top form { margin-left: auto; }
        nav a { text-decoration: none; padding: .2rem 0; }
        nav a[aria-current="page"] { font-weight: 650; border-bottom: 2px solid var(--accent); }
        main { max-width: 1240px; margin: 0 auto; padding: 1rem; }
        h1 { font-size: 1.35rem; margin: .2rem 0 1rem; overflow-wrap: anywhere; }
        h2 { font-size: 1.1rem; margin: 1.4rem 0 .6rem; }
        .card { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: .8rem 1rem;
          margin-bottom: 1rem; }
        .muted, .note { color: var(--muted); }
        .note { font-size: .9rem; }
        .flash { background: var(--card); border-left: 4px solid var(--ok); padding: .6rem .9rem; border-radius: 4px; }
        .problem { background: var(--card); border-left: 4px solid var(--bad); padding: .6rem .9rem;
          border-radius: 4px; overflow-wrap: anywhere; }
        .totals { display: grid; grid-template-columns: repeat(auto-fit, minmax(7.5rem, 1fr)); gap: .6rem; }
        .total { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: .6rem .8rem;
          text-decoration: none; color: var(--fg); }
        .total strong { display: block; font-size: 1.5rem; font-variant-numeric: tabular-nums; }
        .charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(100%, 22rem), 1fr)); gap: 1rem; }
        .charts figure { margin: 0; background: var(--card); border: 1px solid var(--line); border-radius: 8px;
          padding: .6rem; }
        .charts figcaption { font-weight: 600; margin-bottom: .3rem; }
        .chart { display: block; width: 100%; height: auto; }
        .chart-grid { stroke: var(--line); stroke-width: 1; }
        .chart-label, .chart-empty { fill: var(--muted); font-size: 15px; }
        .chart-bar.throughput { fill: var(--ok); }
        .chart-bar.failures { fill: var(--bad); }
        .chart-line { fill: none; stroke-width: 2.5; }
        .chart-line.lateness { stroke: var(--warn); }
        .table-wrap { overflow-x: auto; background: var(--card); border: 1px solid var(--line); border-radius: 8px; }
        table { border-collapse: collapse; width: 100%; }
        th, td { text-align: left; padding: .45rem .6rem; border-bottom: 1px solid var(--line); vertical-align: top; }
        th { font-size: .85rem; color: var(--muted); font-weight: 600; white-space: nowrap; }
        tr:last-child td { border-bottom: 0; }
        td.number, th.number { text-align: right; font-variant-numeric: tabular-nums; }
        td.error { max-width: 28rem; overflow-wrap: anywhere; }
        td.time { white-space: nowrap; }
        code, pre, .id { font-family: ui-monospace, "SF Mono", Menlo, Consolas, monospace; font-size: .88rem; }
        pre { background: var(--bg); border: 1px solid var(--line); border-radius: 6px; padding: .6rem;
          overflow: auto; max-height: 28rem; white-space: pre-wrap; overflow-wrap: anywhere; margin: .3rem 0; }
        .state { display: inline-block; padding: .05rem .5rem; border-radius: 999px; font-size: .82rem;
          font-weight: 600; border: 1px solid currentColor; }
        .state-done { color: var(--ok); } .state-dead { color: var(--bad); } .state-running { color: var(--accent); }
        .state-active { color: var(--warn); } .state-scheduled { color: var(--wait); }
        .paused { color: var(--warn); font-weight: 600; }
        dl.fields { display: grid; grid-template-columns: max-content 1fr; gap: .3rem 1rem; margin: 0; }
        dl.fields dt { color: var(--muted); }
        dl.fields dd { margin: 0; overflow-wrap: anywhere; }
        .filter-grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(9.5rem, 1fr)); gap: .6rem; }
        form.filters details { margin: .7rem 0; }
        form.filters summary { cursor: pointer; color: var(--accent); }
        form.filters .actions { margin-top: .7rem; }
        form.stacked { display: grid; gap: .7rem; max-width: 40rem; }
        label { display: grid; gap: .2rem; font-size: .88rem; color: var(--muted); }
        input, select, textarea { font: inherit; color: var(--fg); background: var(--bg); border: 1px solid var(--line);
          border-radius: 6px; padding: .4rem .5rem; width: 100%; }
        textarea { min-height: 9rem; font-family: ui-monospace, Menlo, Consolas, monospace; }
        button { font: inherit; cursor: pointer; border: 1px solid var(--accent); background: var(--accent); color: #fff;
          border-radius: 6px; padding: .4rem .9rem; }
        button.quiet { background: transparent; color: var(--accent); }
        button.danger { background: var(--bad); border-color: var(--bad); }
        .actions { display: flex; flex-wrap: wrap; gap: .6rem; align-items: end; }
        .actions form { display: flex; flex-wrap: wrap; gap: .4rem; align-items: end; margin: 0; }
        .inline { display: inline; margin: 0; }
        .pages { display: flex; gap: 1rem; margin: .8rem 0; }
        .live-status { font-size: .8rem; color: var(--muted); }
        .login { max-width: 22rem; margin: 3rem auto; }
        @media (max-width: 600px) {
          main { padding: .7rem; }
          header.top nav { order: 3; flex-basis: 100%; }
          th, td { padding: .4rem .45rem; }
          .hide-narrow { display: none; }
          table.stack thead { display: none; }
          table.stack, table.stack tbody, table.stack tr, table.stack td { display: block; width: 100%; }
          table.stack tr { padding: .5rem .7rem; border-bottom: 1px solid var(--line); }
          table.stack tr:last-child { border-bottom: 0; }
          table.stack td { border: 0; padding: .1rem 0; text-align: left; }
          table.stack td.count { display: inline-block; width: auto; margin-right: .9rem; }
          table.stack td.hide-narrow { display: none; }
          table.stack td[data-label]::before { content: attr(data-label) " "; color: var(--muted); font-size: .85rem; }
          dl.fields { grid-template-columns: 1fr; gap: .1rem; }
          dl.fields dd { margin-bottom: .4rem; }
        }
        """
}
