/**
 * node-red-dashboard (1.x) ui_template bodies for the reference flow: asset tiles, a
 * spectrum with bearing defect lines, the alarm list with acknowledge, and the Gantt
 * chart of the maintenance schedule. Plain SVG and HTML driven by Angular, so they need
 * nothing beyond the dashboard itself and stay light with hours of data.
 */

/**
 * Asset tiles with the plant's KPIs: msg.payload = { now, speed, openWorkOrders, tiles: [{ asset, name,
 * state: "ok"|"warning"|"alarm"|"learning", lines: [string], machine?, kpis?: [[label, value]], openWorkOrders }] }.
 */
export const assetTiles = `
<style>
  .pdm-plant { padding: 2px 6px 6px 6px; font-size: 0.95em; }
  .pdm-demo { background: #fff3cd; color: #5c4400; border-radius: 3px; padding: 1px 6px; font-size: 0.85em; }
  .pdm-tiles { display: flex; flex-wrap: wrap; gap: 12px; padding: 6px; }
  .pdm-tile { flex: 1 1 260px; border-radius: 6px; padding: 12px 16px; color: #fff; min-height: 120px; }
  .pdm-tile h3 { margin: 0 0 6px 0; font-size: 1.15em; background: transparent !important; color: inherit !important; }
  .pdm-tile .state { font-weight: bold; text-transform: uppercase; letter-spacing: 0.05em; }
  .pdm-tile div.line { font-size: 0.95em; line-height: 1.5em; }
  .pdm-kpis { display: flex; gap: 14px; margin-top: 8px; padding-top: 6px; border-top: 1px solid rgba(255,255,255,0.4); }
  .pdm-kpi b { display: block; font-size: 1.25em; }
  .pdm-kpi span { font-size: 0.8em; opacity: 0.9; }
  .pdm-ok { background: #2e7d32; } .pdm-warning { background: #f9a825; color: #222; }
  .pdm-alarm { background: #c62828; } .pdm-learning { background: #1565c0; }
</style>
<div class="pdm-plant" ng-if="msg.payload.now">
  plant clock {{msg.payload.now | date:'EEE dd MMM HH:mm'}} ·
  <b id="pdm-open-work-orders">{{msg.payload.openWorkOrders}}</b> open work orders ·
  <span class="pdm-demo">demo data: production, machine states and KPIs are simulated ({{msg.payload.speed}}× clock)</span>
</div>
<div class="pdm-tiles">
  <div ng-repeat="tile in msg.payload.tiles track by tile.asset" class="pdm-tile pdm-{{tile.state}}" id="tile-{{tile.asset}}">
    <h3>{{tile.name}}</h3>
    <div class="state">{{tile.state}}</div>
    <div class="line" ng-repeat="line in tile.lines track by $index">{{line}}</div>
    <div class="line" ng-if="tile.machine">machine: {{tile.machine}}</div>
    <div class="pdm-kpis">
      <div class="pdm-kpi" ng-repeat="k in tile.kpis track by $index"><b>{{k[1]}}</b><span>{{k[0]}}</span></div>
      <div class="pdm-kpi"><b>{{tile.openWorkOrders}}</b><span>open work orders</span></div>
    </div>
  </div>
  <div ng-if="!msg.payload.tiles.length">waiting for the first windows…</div>
</div>`;

/**
 * A spectrum as an SVG polyline with vertical marker lines:
 * msg.payload = { title, unit, frequencies, amplitudes, markers: [{ label, hz }] }.
 */
export const spectrumChart = `
<div ng-init="w=560; h=220; pad=36">
  <div style="font-weight:bold; margin-bottom:4px">{{msg.payload.title || 'waiting for a spectrum…'}}</div>
  <svg ng-if="msg.payload.frequencies.length" ng-attr-width="{{w}}" ng-attr-height="{{h}}" class="pdm-spectrum">
    <g>
      <line ng-attr-x1="{{pad}}" ng-attr-y1="{{h - pad}}" ng-attr-x2="{{w - 8}}" ng-attr-y2="{{h - pad}}" stroke="#888"/>
      <line ng-attr-x1="{{pad}}" y1="8" ng-attr-x2="{{pad}}" ng-attr-y2="{{h - pad}}" stroke="#888"/>
      <line ng-repeat="m in msg.payload.markers" ng-attr-x1="{{pad + (w - pad - 8) * m.hz / msg.payload.fmax}}" y1="8"
            ng-attr-x2="{{pad + (w - pad - 8) * m.hz / msg.payload.fmax}}" ng-attr-y2="{{h - pad}}" stroke="#c62828" stroke-dasharray="4 3"/>
      <text ng-repeat="m in msg.payload.markers" ng-attr-x="{{pad + 3 + (w - pad - 8) * m.hz / msg.payload.fmax}}" ng-attr-y="{{18 + 12 * $index}}"
            fill="#c62828" font-size="11">{{m.label}}</text>
      <polyline fill="none" stroke="#1565c0" stroke-width="1.3" ng-attr-points="{{msg.payload.points}}"/>
      <text ng-attr-x="{{w - 8}}" ng-attr-y="{{h - pad + 16}}" text-anchor="end" font-size="11">{{msg.payload.fmax | number:0}} Hz</text>
      <text ng-attr-x="{{pad}}" ng-attr-y="{{h - pad + 16}}" font-size="11">0</text>
      <text x="2" y="14" font-size="11">{{msg.payload.amax | number:3}} {{msg.payload.unit}}</text>
    </g>
  </svg>
</div>`;

/**
 * Alarm list with an acknowledge button per open alarm:
 * msg.payload = [{ id, asset, raisedAt, severity, reason, acknowledged }].
 * A click sends { payload: { action: "acknowledge", id } }.
 */
export const alarmList = `
<style>
  table.pdm-alarms { width: 100%; border-collapse: collapse; font-size: 0.95em; }
  table.pdm-alarms td, table.pdm-alarms th { border-bottom: 1px solid #ddd; padding: 4px 6px; text-align: left; }
  .pdm-sev-high, .pdm-sev-critical { color: #c62828; font-weight: bold; }
  .pdm-sev-medium { color: #ef6c00; font-weight: bold; }
</style>
<table class="pdm-alarms">
  <tr><th>raised</th><th>asset</th><th>severity</th><th>why</th><th></th></tr>
  <tr ng-repeat="a in msg.payload track by a.id">
    <td>{{a.raisedAt | date:'dd MMM HH:mm:ss'}}</td><td>{{a.asset}}</td>
    <td class="pdm-sev-{{a.severity}}">{{a.severity}}</td><td>{{a.reason}}</td>
    <td><md-button class="md-raised pdm-ack" ng-if="!a.acknowledged" ng-click="send({payload: {action: 'acknowledge', id: a.id}})">Acknowledge</md-button>
        <span ng-if="a.acknowledged">acknowledged</span></td>
  </tr>
  <tr ng-if="!msg.payload.length"><td colspan="5">no alarms</td></tr>
</table>`;

/**
 * The schedule as a Gantt chart, one row per technician:
 * msg.payload = { now, from, to, rows: [{ technician, bars: [{ label, start, end, priority }] }] }, with a
 * line at now (the plant clock).
 */
export const ganttChart = `
<div ng-init="w=900; rowH=30; left=70">
  <div ng-if="!msg.payload.rows.length">no work orders planned yet</div>
  <svg ng-if="msg.payload.rows.length" ng-attr-width="{{w}}" ng-attr-height="{{rowH * msg.payload.rows.length + 24}}">
    <g ng-repeat="row in msg.payload.rows" ng-attr-transform="translate(0,{{rowH * $index}})">
      <text x="4" y="19" font-size="12">{{row.technician}}</text>
      <line ng-attr-x1="{{left}}" y1="28" ng-attr-x2="{{w}}" y2="28" stroke="#eee"/>
      <g ng-repeat="bar in row.bars">
        <rect ng-attr-x="{{left + (w - left) * (bar.start - msg.payload.from) / (msg.payload.to - msg.payload.from)}}" y="4"
              ng-attr-width="{{(w - left) * (bar.end - bar.start) / (msg.payload.to - msg.payload.from)}}" height="20" rx="3"
              ng-attr-fill="{{bar.priority === 'urgent' || bar.priority === 'high' ? '#c62828' : '#1565c0'}}"><title>{{bar.label}}</title></rect>
        <text ng-attr-x="{{left + 3 + (w - left) * (bar.start - msg.payload.from) / (msg.payload.to - msg.payload.from)}}" y="18"
              font-size="11" fill="#fff">{{bar.label}}</text>
      </g>
    </g>
    <line ng-attr-x1="{{left + (w - left) * (msg.payload.now - msg.payload.from) / (msg.payload.to - msg.payload.from)}}" y1="0"
          ng-attr-x2="{{left + (w - left) * (msg.payload.now - msg.payload.from) / (msg.payload.to - msg.payload.from)}}"
          ng-attr-y2="{{rowH * msg.payload.rows.length + 4}}" stroke="#2e7d32" stroke-width="2"><title>now (plant clock)</title></line>
    <text ng-attr-x="{{left}}" ng-attr-y="{{rowH * msg.payload.rows.length + 18}}" font-size="11">{{msg.payload.from | date:'dd MMM HH:mm'}}</text>
    <text ng-attr-x="{{w - 4}}" ng-attr-y="{{rowH * msg.payload.rows.length + 18}}" text-anchor="end" font-size="11">{{msg.payload.to | date:'dd MMM HH:mm'}}</text>
  </svg>
</div>`;

const tableStyle = `
<style>
  table.pdm-table { width: 100%; border-collapse: collapse; font-size: 0.92em; }
  table.pdm-table td, table.pdm-table th { border-bottom: 1px solid #ddd; padding: 3px 6px; text-align: left; }
  .pdm-status-in-progress { color: #ef6c00; font-weight: bold; } .pdm-status-done { color: #2e7d32; }
  .pdm-bad { color: #c62828; font-weight: bold; }
</style>`;

/**
 * The work orders of the plan and the last finished ones, with their ERP state:
 * msg.payload = { now, rows: [{ id, asset, action, technician, start, end, priority, status, erp }] }.
 */
export const workOrderBacklog = `${tableStyle}
<table class="pdm-table pdm-backlog">
  <tr><th>work order</th><th>machine</th><th>action</th><th>technician</th><th>planned</th><th>status</th><th>ERP</th></tr>
  <tr ng-repeat="r in msg.payload.rows track by r.id">
    <td>{{r.id}}</td><td>{{r.asset}}</td><td>{{r.action}}</td><td>{{r.technician}}</td>
    <td>{{r.start | date:'dd MMM HH:mm'}}–{{r.end | date:'HH:mm'}}</td>
    <td class="pdm-status-{{r.status.replace(' ', '-')}}">{{r.status}}</td>
    <td ng-class="{'pdm-bad': r.erp.indexOf('rejected') === 0}">{{r.erp}}</td>
  </tr>
  <tr ng-if="!msg.payload.rows.length"><td colspan="7">no work orders yet</td></tr>
</table>`;

/**
 * Spare parts and purchase requests: msg.payload = { now, rows: [{ part, stock, leadTimeH, onOrder,
 * nextArrival }], requests: [{ id, part, quantity, asset, at, arrives }] }.
 */
export const spareParts = `${tableStyle}
<table class="pdm-table pdm-parts">
  <tr><th>part</th><th>in stock</th><th>on order</th><th>next arrival</th><th>lead time</th></tr>
  <tr ng-repeat="r in msg.payload.rows track by r.part">
    <td>{{r.part}}</td><td ng-class="{'pdm-bad': r.stock === 0}">{{r.stock}}</td><td>{{r.onOrder}}</td>
    <td>{{r.nextArrival ? (r.nextArrival | date:'dd MMM HH:mm') : '–'}}</td><td>{{r.leadTimeH}} h</td>
  </tr>
</table>
<div style="margin-top:6px; font-weight:bold">Purchase requests (pdm-rules)</div>
<table class="pdm-table pdm-purchases">
  <tr ng-repeat="q in msg.payload.requests track by q.id">
    <td>{{q.at | date:'dd MMM HH:mm'}}</td><td>{{q.quantity}} × {{q.part}}</td><td>for {{q.asset}}</td>
    <td>{{q.arrives <= msg.payload.now ? 'arrived' : 'arrives ' + (q.arrives | date:'dd MMM HH:mm')}}</td>
  </tr>
  <tr ng-if="!msg.payload.requests.length"><td>none yet</td></tr>
</table>`;

/** Records the ERP refused (pdm-erp-push output 2): msg.payload = [{ key, asset, status, error }]. */
export const deadLetters = `${tableStyle}
<div style="font-weight:bold">Dead letters (refused by the ERP, not retried)</div>
<table class="pdm-table pdm-dead-letters">
  <tr ng-repeat="d in msg.payload track by d.key"><td>{{d.key}}</td><td>{{d.asset}}</td><td class="pdm-bad">{{d.status}}</td><td>{{d.error}}</td></tr>
  <tr ng-if="!msg.payload.length"><td>none</td></tr>
</table>`;
