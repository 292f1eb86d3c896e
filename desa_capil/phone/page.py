"""The pages the phone sees: the camera page and the short message pages (wrong/expired link).

One self-contained HTML document, no external assets, a few KB: it opens fast on a weak phone on
a hotspot with no internet. The photos go up one at a time with XMLHttpRequest (fetch has no
upload progress), as the raw file body: no multipart parsing on the laptop.
"""

from __future__ import annotations

import html
import json

_STYLE = """
*{box-sizing:border-box}body{font:16px/1.4 system-ui,sans-serif;margin:0;background:#f4f6f8;color:#1f2937}
header{background:#0f5132;color:#fff;padding:12px 16px}header small{opacity:.85}
main{padding:12px 16px;max-width:640px;margin:auto}
h1{font-size:1.15em;margin:0}h2{font-size:1.05em;margin:12px 0 6px}
.btn{display:block;width:100%;padding:14px;margin:8px 0;border:0;border-radius:10px;font-size:1.05em;
text-align:center;background:#15803d;color:#fff}.btn.alt{background:#fff;color:#15803d;border:2px solid #15803d}
select{width:100%;padding:10px;font-size:1em;border-radius:8px}
.msg{padding:10px 12px;border-radius:8px;margin:8px 0;background:#fee2e2;color:#7f1d1d}
.ok{background:#dcfce7;color:#14532d}ul{list-style:none;padding:0}
li{background:#fff;border-radius:10px;margin:8px 0;padding:8px;display:flex;gap:10px;align-items:center}
li img{width:64px;height:84px;object-fit:cover;border:1px solid #ccc}
progress{width:100%}.s{flex:1;min-width:0;overflow-wrap:anywhere}.e{color:#b91c1c}
input[type=file]{display:none}
"""

_SCRIPT = """
var B=location.pathname.replace(/\\/$/,''),P=sessionStorage.dcPhone;
if(!P){P=Math.random().toString(36).slice(2)+Date.now().toString(36);sessionStorage.dcPhone=P}
var LOST='Laptop tidak menjawab. Bila \u201cPakai HP\u201d sudah ditutup di laptop, halaman ini tidak '+
'berlaku lagi: pindai kode QR yang baru. Bila belum, pastikan HP masih tersambung ke Wi-Fi/hotspot yang sama.';
var $=function(i){return document.getElementById(i)},Q=[],busy=0,items={},cur=S.current,dead=0;
function paperName(c){for(var i=0;i<S.papers.length;i++)if(S.papers[i].code==c)return S.papers[i].name;return c}
function drawPapers(){var s=$('paper'),h='';S.papers.forEach(function(p){h+='<option value="'+p.code+'"'+
(p.code==cur?' selected':'')+'>'+esc(p.name)+(p.mandatory?' (wajib)':'')+' \\u00b7 '+p.pages+' hal.</option>'});
s.innerHTML=h;$('now').textContent=paperName(cur)}
function esc(t){var d=document.createElement('div');d.textContent=t;return d.innerHTML}
function say(t,ok){var m=$('msg');m.textContent=t;m.className='msg'+(ok?' ok':'');m.hidden=!t}
function pick(c){cur=c;drawPapers();var x=new XMLHttpRequest();x.open('POST',B+'/paper?phone='+P+'&code='+
encodeURIComponent(c));x.onload=function(){if(x.status>=400)fail(x)};x.send()}
function next(){var i=0;S.papers.forEach(function(p,n){if(p.code==cur)i=n});pick(S.papers[(i+1)%S.papers.length].code)}
function add(files){for(var i=0;i<files.length;i++){var f=files[i],k='q'+Math.random().toString(36).slice(2),
li=document.createElement('li');li.innerHTML='<div class=s><b></b><br><span>menunggu</span><progress max=1 value=0>'+
'</progress></div>';li.querySelector('b').textContent=f.name+' \\u2192 '+paperName(cur);$('list').prepend(li);
items[k]=li;if(f.size>S.maxBytes){bad(li,'Foto terlalu besar ('+Math.round(f.size/1048576)+' MB; batas '+
Math.round(S.maxBytes/1048576)+' MB). Ambil ulang dengan kamera HP biasa, lalu kirim lagi.');continue}
Q.push({f:f,li:li,paper:cur})}pump()}
function bad(li,t){var s=li.querySelector('span');s.textContent=t;s.className='e';var p=li.querySelector('progress');
if(p)p.remove()}
function pump(){if(busy||!Q.length||dead)return;busy=1;var j=Q.shift(),x=new XMLHttpRequest(),
pr=j.li.querySelector('progress'),sp=j.li.querySelector('span');sp.textContent='mengirim\\u2026';
x.open('POST',B+'/upload?phone='+P+'&paper='+encodeURIComponent(j.paper)+'&name='+encodeURIComponent(j.f.name));
x.setRequestHeader('Content-Type',j.f.type||'application/octet-stream');
x.upload.onprogress=function(e){if(e.lengthComputable){pr.value=e.loaded/e.total;sp.textContent='mengirim '+
Math.round(100*e.loaded/e.total)+'%'}};
x.onload=function(){busy=0;if(x.status==202){var r=JSON.parse(x.responseText);j.li.id='p'+r.id;
sp.textContent='diterima, diproses di laptop\\u2026';pr.removeAttribute('value');poll()}else{var m=msg(x);bad(j.li,m);
if(x.status==404||x.status==410)stop(m)}pump()};
x.onerror=function(){busy=0;bad(j.li,'Gagal mengirim: sambungan ke laptop putus. Pastikan HP dan laptop di '+
'Wi-Fi yang sama, lalu kirim lagi.');pump()};x.send(j.f)}
function msg(x){try{return JSON.parse(x.responseText).message}catch(e){return 'Laptop menolak foto ini ('+x.status+').'}}
function fail(x){var m=msg(x);say(m);if(x.status==404||x.status==410)stop(m)}
function stop(m){dead=1;say(m);$('cam').disabled=$('gal').disabled=1;document.querySelectorAll('.btn,select')
.forEach(function(b){b.disabled=true;b.style.opacity=.5})}
var timer=0;function poll(){clearTimeout(timer);if(dead)return;var x=new XMLHttpRequest();
x.open('GET',B+'/state?phone='+P);x.onload=function(){if(x.status!=200){fail(x);return}var s=JSON.parse(
x.responseText),wait=0;if($('msg').textContent==LOST)say('');S.papers=s.papers;drawPapers();s.photos.forEach(function(p){var li=$('p'+p.id);if(!li)return;
var sp=li.querySelector('span');if(p.status=='processing'){wait=1;return}if(li.dataset.done)return;
li.dataset.done=1;var pr=li.querySelector('progress');if(pr)pr.remove();if(p.status=='failed'){sp.textContent=
p.message;sp.className='e';return}sp.textContent='diterima laptop \\u2713';for(var i=0;i<p.thumbs;i++){
var im=new Image();im.alt='halaman';im.src=B+'/thumb/'+p.id+'/'+i;li.prepend(im)}});timer=setTimeout(poll,
wait||busy||Q.length?700:4000)};x.onerror=function(){say(LOST);timer=setTimeout(poll,4000)};x.send()}
$('paper').onchange=function(){pick(this.value)};$('next').onclick=next;
$('cam').onchange=$('gal').onchange=function(){add(this.files);this.value=''};drawPapers();poll();
"""


def _json_for_script(data: object) -> str:
    # Inside <script>, "</" would end the element; \\u003c keeps the JSON intact.
    return json.dumps(data, ensure_ascii=False).replace("<", "\\u003c")


def camera_page(state: dict[str, object]) -> bytes:
    """The phone's camera page for a session ``state`` (PhoneSession.state)."""
    service = html.escape(str(state["service"]))
    papers = state["papers"]
    assert isinstance(papers, list)
    current = next((p["name"] for p in papers if p["code"] == state["current"]), "")
    doc = f"""<!doctype html><html lang=id><head><meta charset=utf-8>
<meta name=viewport content="width=device-width,initial-scale=1"><title>Kirim foto kertas</title>
<style>{_STYLE}</style></head><body><header><small>Kirim foto ke laptop desa</small><h1>{service}</h1></header>
<main><h2>Kertas sekarang: <span id=now>{html.escape(str(current))}</span></h2>
<select id=paper aria-label="Pilih kertas"></select>
<button class="btn alt" id=next type=button>Kertas berikutnya \u25b6</button>
<label class=btn for=cam>\U0001f4f7 Ambil foto</label><input id=cam type=file accept="image/*" capture=environment>
<label class="btn alt" for=gal>\U0001f5bc Pilih dari galeri (bisa banyak)</label>
<input id=gal type=file accept="image/*" multiple>
<div id=msg class=msg hidden></div>
<p><small>Foto satu lembar kertas per foto, rata di atas meja, cahaya cukup. Foto langsung masuk ke
laptop; tidak disimpan di internet.</small></p><ul id=list></ul></main>
<script>var S={_json_for_script(state)};{_SCRIPT}</script></body></html>"""
    return doc.encode("utf-8")


def message_page(title: str, text: str) -> bytes:
    """A short page for a link that cannot be used (wrong, expired, closed)."""
    doc = f"""<!doctype html><html lang=id><head><meta charset=utf-8>
<meta name=viewport content="width=device-width,initial-scale=1"><title>{html.escape(title)}</title>
<style>{_STYLE}</style></head><body><header><small>Kirim foto ke laptop desa</small>
<h1>{html.escape(title)}</h1></header><main><p class=msg>{html.escape(text)}</p></main></body></html>"""
    return doc.encode("utf-8")


WRONG_TITLE = "Tautan tidak dikenal"
WRONG_TEXT = (
    "Alamat ini bukan kode QR yang sedang dibuka di laptop. Di laptop, buka langkah \u201cKertas\u201d "
    "permohonan, klik \u201cPakai HP\u201d, lalu pindai kode QR yang tampil dengan kamera HP."
)
EXPIRED_TITLE = "Tautan sudah kedaluwarsa"
EXPIRED_TEXT = (
    "Kode QR ini sudah tidak berlaku: jendela \u201cPakai HP\u201d di laptop sudah ditutup, atau tidak "
    "dipakai lebih dari 15 menit. Di laptop, klik \u201cPakai HP\u201d lagi dan pindai kode QR yang baru."
)
