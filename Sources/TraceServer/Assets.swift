/// Every asset the pages use, as Swift strings compiled into the binary: the UI needs no network and
/// no CDN. Served under `/assets/NAME` (a fixed table: no file system path is ever read).
enum Assets {
    static let all: [String: (type: String, text: String)] = [
        "app.css": ("text/css; charset=utf-8", css),
        "table.js": ("text/javascript; charset=utf-8", tableJS),
        "timeline.js": ("text/javascript; charset=utf-8", timelineJS),
    ]

    static let css = """
    body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:0;color:#222;background:#fafafa}
    header.top{background:#263238;color:#fff;padding:8px 16px;display:flex;gap:18px;align-items:center}
    header.top a{color:#cfe3ff;text-decoration:none}header.top b{color:#fff}
    main.page{padding:12px 20px;max-width:1400px}
    table{border-collapse:collapse;margin:8px 0;background:#fff}
    th,td{border:1px solid #ddd;padding:3px 8px;text-align:left;vertical-align:top}
    th{background:#eef2f5;cursor:pointer;user-select:none}td.num{text-align:right;font-variant-numeric:tabular-nums}
    .frames{margin:0;padding-left:16px;font:12px ui-monospace,monospace}.frames li{white-space:nowrap}
    .muted{color:#777}.err{background:#fde8e8;border:1px solid #e99;padding:8px}
    .better{color:#1b7a3d}.worse{color:#b3261e}
    form.inline{display:inline}input[type=text],input[type=number]{padding:2px 4px}
    textarea{width:100%;font:13px ui-monospace,monospace}
    .q{background:#fff;border:1px solid #ddd;padding:8px 12px;margin:8px 0}
    #tl{border:1px solid #ccc;background:#fff;display:block;width:100%}
    #detail{font:12px ui-monospace,monospace;white-space:pre-wrap;background:#fff;border:1px solid #ddd;padding:6px;min-height:3em}
    """

    /// Sortable tables: a click on a header sorts by that column (numbers by `data-v`, else text).
    static let tableJS = """
    document.querySelectorAll('table.sortable').forEach(function(t){
      t.querySelectorAll('th').forEach(function(th,i){
        th.addEventListener('click',function(){
          var body=t.tBodies[0], rows=Array.prototype.slice.call(body.rows);
          var dir=th.dataset.dir==='asc'?'desc':'asc'; th.dataset.dir=dir;
          rows.sort(function(a,b){
            var x=a.cells[i], y=b.cells[i]; if(!x||!y) return 0;
            var vx=x.dataset.v, vy=y.dataset.v, r;
            if(vx!==undefined&&vy!==undefined&&vx!==''&&vy!==''){ r=parseFloat(vx)-parseFloat(vy); }
            else { r=x.textContent.localeCompare(y.textContent); }
            return dir==='asc'?r:-r;
          });
          rows.forEach(function(r){body.appendChild(r);});
        });
      });
      t.dataset.sortable='ready';
    });
    """

    /// The timeline: asks `/api/runs/ID/timeline` for the visible window only, draws it on a canvas.
    /// Mouse: wheel zooms at the cursor, drag pans, click shows the interval (and its stack).
    /// Keys: W/S zoom in/out, A/D pan left/right.
    static let timelineJS = """
    (function(){
      var cv=document.getElementById('tl'), ctx=cv.getContext('2d'), info=document.getElementById('detail');
      var run=cv.dataset.run, dur=+cv.dataset.duration, goids=cv.dataset.goids||'';
      var view={s:0,e:Math.max(dur,1)}, data=null, boxes=[], pending=0;
      var L=110, LANE=16, GAP=4;
      var GS={2:'#f0a030',3:'#2f9e5b',4:'#9fb4d3',5:'#9b6ad6'}, GN={2:'Runnable',3:'Running',4:'Waiting',5:'Syscall'};
      function fmt(ns){ns=+ns;if(Math.abs(ns)>=1e9)return (ns/1e9).toFixed(3)+' s';if(Math.abs(ns)>=1e6)return (ns/1e6).toFixed(3)+' ms';if(Math.abs(ns)>=1e3)return (ns/1e3).toFixed(1)+' µs';return ns+' ns';}
      function load(){
        var id=++pending, s=Math.floor(view.s), e=Math.ceil(view.e);
        var u='/api/runs/'+run+'/timeline?start_ns='+s+'&end_ns='+e+(goids?'&goids='+goids:'');
        document.getElementById('export-chrome').href='/runs/'+run+'/export/chrome.json?start_ns='+s+'&end_ns='+e+(goids?'&goids='+goids:'');
        fetch(u).then(function(r){return r.json();}).then(function(d){ if(id!==pending) return; data=d; draw(); });
      }
      function X(t){ return L+(cv.width-L-10)*(t-view.s)/(view.e-view.s); }
      function T(x){ return view.s+(x-L)*(view.e-view.s)/(cv.width-L-10); }
      function lane(y,label){ ctx.fillStyle='#333'; ctx.font='11px sans-serif'; ctx.fillText(label,4,y+12); }
      function bar(y,s,e,color,item){
        var x0=Math.max(X(s),L), x1=Math.min(X(e),cv.width-10); if(x1<L||x0>cv.width) return;
        var w=Math.max(x1-x0,0.7); ctx.fillStyle=color; ctx.fillRect(x0,y,w,LANE-2); boxes.push({x0:x0,x1:x0+w,y0:y,y1:y+LANE,item:item});
      }
      function draw(){
        if(!data) return; boxes=[];
        var lanes=2+(data.procs||[]).length+(data.threads||[]).length+(data.goroutines||[]).length+2+(data.mode==='aggregate'?6:0);
        cv.height=40+lanes*(LANE+GAP); cv.width=cv.clientWidth||1200;
        ctx.clearRect(0,0,cv.width,cv.height);
        ctx.fillStyle='#555'; ctx.font='11px sans-serif';
        for(var k=0;k<=5;k++){ var t=view.s+(view.e-view.s)*k/5, x=X(t); ctx.fillText(fmt(t),Math.min(x,cv.width-70),12); ctx.fillStyle='#eee'; ctx.fillRect(x,16,1,cv.height); ctx.fillStyle='#555'; }
        var y=22;
        lane(y,'GC'); (data.gc||[]).forEach(function(g){ bar(y,g[0],g[1],'#d9534f',{kind:'GC cycle',start_ns:g[0],end_ns:g[1]}); }); y+=LANE+GAP;
        lane(y,'STW'); (data.stw||[]).forEach(function(g){ bar(y,g[0],g[1],'#7a1f1d',{kind:'stop-the-world',reason:g[2],start_ns:g[0],end_ns:g[1]}); }); y+=LANE+GAP;
        if(data.mode==='aggregate'){
          var names=['running','runnable','waiting','syscall','P running','P idle'], cols=['#2f9e5b','#f0a030','#9fb4d3','#9b6ad6','#3b7dd8','#bbb'];
          var max=[0,0,0,0,0,0]; (data.buckets||[]).forEach(function(b){ for(var i=0;i<6;i++) max[i]=Math.max(max[i],b[i+2]); });
          for(var i=0;i<6;i++){
            lane(y,names[i]+' ≤'+max[i].toFixed(1));
            (data.buckets||[]).forEach(function(b){ var h=max[i]>0?(LANE-2)*b[i+2]/max[i]:0; var x0=X(b[0]), x1=X(b[1]); if(x1<L) return;
              ctx.fillStyle=cols[i]; ctx.fillRect(Math.max(x0,L),y+LANE-2-h,Math.max(x1-x0,0.7),h);
              boxes.push({x0:x0,x1:x1,y0:y,y1:y+LANE,item:{kind:'bucket',what:names[i],start_ns:b[0],end_ns:b[1],average:b[i+2]}}); });
            y+=LANE+GAP;
          }
        }
        (data.procs||[]).forEach(function(p){ lane(y,'P'+p.id); p.intervals.forEach(function(iv){ if(iv[2]===2) bar(y,iv[0],iv[1],'#3b7dd8',{kind:'P running',proc:p.id,thread:iv[3],start_ns:iv[0],end_ns:iv[1]}); }); y+=LANE+GAP; });
        (data.threads||[]).forEach(function(m){ lane(y,'M'+m.id); m.intervals.forEach(function(iv){ if(iv[2]!==0) bar(y,iv[0],iv[1],iv[2]===1?'#5b8fd9':'#9b6ad6',{kind:iv[2]===1?'M running':'M in syscall',thread:m.id,proc:iv[3],goid:iv[4],start_ns:iv[0],end_ns:iv[1]}); }); y+=LANE+GAP; });
        (data.goroutines||[]).forEach(function(g){ lane(y,'G'+g.goid+' '+(g.name||'').slice(-14)); g.intervals.forEach(function(iv){ bar(y,iv[0],iv[1],GS[iv[2]]||'#999',{kind:'goroutine '+g.goid,state:GN[iv[2]]||iv[2],start_ns:iv[0],end_ns:iv[1],stack_id:iv[3],reason:iv[4],woken_by:iv[5],open:iv[6]?true:undefined}); }); y+=LANE+GAP; });
        lane(y,'tasks'); (data.tasks||[]).forEach(function(t){ bar(y,t[0],t[1],'#2f9e5b',{kind:'task',id:t[3],name:t[2],start_ns:t[0],end_ns:t[1]}); }); y+=LANE+GAP;
        lane(y,'regions'); (data.regions||[]).forEach(function(t){ bar(y,t[0],t[1],'#8a6bd1',{kind:'region',name:t[2],goid:t[3],start_ns:t[0],end_ns:t[1]}); }); y+=LANE+GAP;
        document.getElementById('status').textContent=data.mode+' · '+fmt(view.s)+' – '+fmt(view.e)+' · '+data.events+' events in window'+(data.truncated?' · truncated':'');
        cv.dataset.drawn=String(boxes.length);
      }
      function zoom(f,at){ var c=at===undefined?(view.s+view.e)/2:at, w=(view.e-view.s)*f; w=Math.max(Math.min(w,dur),1000); var s=c-(c-view.s)*w/(view.e-view.s); s=Math.max(0,Math.min(s,dur-w)); view={s:s,e:s+w}; load(); }
      function pan(f){ var w=view.e-view.s, s=Math.max(0,Math.min(view.s+w*f,dur-w)); view={s:s,e:s+w}; load(); }
      document.addEventListener('keydown',function(ev){ var k=ev.key.toLowerCase(); if(ev.target.tagName==='INPUT') return;
        if(k==='w') zoom(0.5); else if(k==='s') zoom(2); else if(k==='a') pan(-0.25); else if(k==='d') pan(0.25); });
      cv.addEventListener('wheel',function(ev){ ev.preventDefault(); var r=cv.getBoundingClientRect(); zoom(ev.deltaY<0?0.7:1.4,T((ev.clientX-r.left)*cv.width/r.width)); },{passive:false});
      var drag=null;
      cv.addEventListener('mousedown',function(ev){ drag={x:ev.clientX,s:view.s,e:view.e,moved:false}; });
      window.addEventListener('mouseup',function(ev){
        if(drag&&drag.moved){ load(); } else if(drag){ var r=cv.getBoundingClientRect(), x=(ev.clientX-r.left)*cv.width/r.width, y=(ev.clientY-r.top)*cv.height/r.height;
          var hit=null; boxes.forEach(function(b){ if(x>=b.x0-1&&x<=b.x1+1&&y>=b.y0&&y<=b.y1) hit=b; }); show(hit&&hit.item); }
        drag=null; });
      window.addEventListener('mousemove',function(ev){ if(!drag) return; var r=cv.getBoundingClientRect(), dx=(ev.clientX-drag.x)*cv.width/r.width; if(Math.abs(dx)>3) drag.moved=true;
        if(drag.moved){ var w=drag.e-drag.s, dt=-dx*w/(cv.width-L-10), s=Math.max(0,Math.min(drag.s+dt,dur-w)); view={s:s,e:s+w}; draw(); } });
      function show(it){
        if(!it){ info.textContent='(nothing here)'; return; }
        var lines=[]; for(var k in it){ if(it[k]!==undefined&&it[k]!==null) lines.push(k+': '+(/_ns$/.test(k)?fmt(it[k])+' ('+it[k]+' ns)':it[k])); }
        if(it.start_ns!==undefined) lines.push('duration: '+fmt(it.end_ns-it.start_ns));
        info.textContent=lines.join('\\n');
        if(it.stack_id){ fetch('/api/runs/'+run+'/stacks/'+it.stack_id).then(function(r){return r.json();}).then(function(st){ info.textContent+='\\nstack:\\n  '+(st.frames||[]).join('\\n  '); }); }
      }
      window.addEventListener('resize',draw);
      load();
    })();
    """
}
