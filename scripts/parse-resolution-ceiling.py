"""Upper bound on parse mIoU from resolution alone: real-ccp/test labels mapped to the
8 parts, fitted into the 256x192 frame (height 256, centred, background pad), averaged
down by FACTOR (2 = the parser's input) and brought back up bilinearly, then scored
against the full-resolution labels (IoU pooled over the 100 photos). Prints one line
per factor. Usage: python3 scripts/parse-resolution-ceiling.py [REAL_CCP_TEST_DIR]"""
import numpy as np
from PIL import Image
from scipy.ndimage import zoom
import sys
root=(sys.argv[1] if len(sys.argv) > 1 else '../shared/data/tryon/real-ccp/test').rstrip('/') + '/'
m={0:0,2:1,13:2,5:3,6:3,7:3,10:4,11:4,14:5,15:5,3:5,9:6,12:6,16:7,17:7,18:7,19:7,8:7,1:1,4:1}
lut=np.zeros(256,np.int64)
for k,v in m.items(): lut[k]=v
for f in [2,4]:
  inter=np.zeros(8);union=np.zeros(8)
  for name in open(root+'test.txt').read().split():
    lab=np.array(Image.open(root+'image-parse/'+name.replace('.jpg','.png')))
    p=lut[lab]
    im=Image.fromarray(p.astype(np.uint8)).resize((round(p.shape[1]*256/384),256),Image.NEAREST)
    q=np.array(im); full=np.zeros((256,192),np.int64); off=(192-q.shape[1])//2; full[:,off:off+q.shape[1]]=q
    oh=np.eye(8)[full].transpose(2,0,1)
    half=oh.reshape(8,256//f,f,192//f,f).mean((2,4))
    up=np.stack([zoom(c,f,order=1) for c in half])
    pred=up.argmax(0)
    for c in range(8):
      inter[c]+=((pred==c)&(full==c)).sum(); union[c]+=((pred==c)|(full==c)).sum()
  iou=inter/union; print(f, iou.round(3), iou.mean().round(4))
