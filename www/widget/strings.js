// The widget's UI strings, in English; a store translates them with
// setStrings() / init({strings}). `{name}` marks a value filled in at run time.

/** UI strings; a store can translate them with `Vitrine.setStrings({...})`. */
export const STRINGS = {
  loading: 'Loading recommendations…',
  downloading: 'Downloading the recommendation model',
  forYou: 'Recommended for you',
  popular: 'Popular right now',
  similar: 'Similar products',
  recentlyViewed: 'Recently viewed',
  boughtTogether: 'Often bought together',
  why: 'Why this? You viewed {title}',
  previous: 'Previous products',
  next: 'Next products',
  slide: '{index} of {count}',
  historyNote: 'What this shop remembers about your visits, stored only in this browser and never sent anywhere.',
  historyEmpty: 'Nothing yet.',
  forget: 'Forget my history',
  tryOn: 'Try it on',
  tryOnTitle: 'Try on {title}',
  tryOnPrivacy: 'Your photo stays on this device: the fitting room runs in your browser and nothing is uploaded.',
  choosePhoto: 'Choose a photo',
  useCamera: 'Use the camera',
  takePhoto: 'Take the photo',
  samplePhotos: 'Or try a sample model:',
  downloadingTryOn: 'Downloading the fitting-room model',
  rendering: 'Dressing you…',
  before: 'Before',
  after: 'After',
  save: 'Save image',
  close: 'Close',
  landscape: 'We used the middle of your landscape photo.',
  noPerson: 'We could not find a person in this photo. Use a photo of one person facing the camera, head to hips.',
  notAPhoto: 'That file is not a photo we can read. Please choose a JPEG, PNG or WebP image.',
  tryOnFailed: 'The fitting room could not run here: {message}',
  cameraFailed: 'The camera is not available: {message}',
  'event:view': 'Viewed',
  'event:add-to-cart': 'Added to basket',
  'event:purchase': 'Bought',
};

/** Fill `{name}` placeholders. */
export const fill = (template, values) => template.replace(/\{(\w+)\}/g, (_, k) => String(values[k] ?? ''));
