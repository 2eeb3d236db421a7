// Types for the Vitrine widget (vitrine.js), for bundler and TypeScript users.

/** Options of init(); a script tag's data-* attributes set the same keys. */
export interface VitrineOptions {
  /** Model card URL; its weights file sits beside it. Default 'models/online-retail.json'. */
  model?: string;
  /** Try-on model card URL, for <vitrine-try-on>. Default 'models/fitting-room.json'. */
  tryOnModel?: string;
  /** Catalog JSON URL ({currency, items: [{id, title, price, image?, url?}]}). Default none. */
  catalog?: string | null;
  /**
   * Where the models run. Default 'auto': recommendations on the CPU (faster than a GPU round trip for one
   * history), the fitting room on WebGPU when the device has a hardware GPU adapter, else on the CPU.
   * 'webgpu' loads the WebGPU engine module (+2.6 MB gzipped) for both; 'cpu' never does.
   */
  backend?: 'auto' | 'webgpu' | 'cpu';
  /** Events older than this many days are forgotten. Default 90. */
  retentionDays?: number;
  /** Id of a <template> for product cards ([data-field] = title | price | why | link | image). Default none. */
  template?: string | null;
  /** UI strings to replace (keys of the built-in English strings). */
  strings?: Partial<VitrineStrings>;
}

export interface VitrineStrings {
  loading: string;
  downloading: string;
  forYou: string;
  popular: string;
  similar: string;
  recentlyViewed: string;
  boughtTogether: string;
  /** `{title}` is replaced by the history item's title. */
  why: string;
  previous: string;
  next: string;
  /** `{index}` and `{count}`. */
  slide: string;
  historyNote: string;
  historyEmpty: string;
  forget: string;
  tryOn: string;
  /** `{title}`: the garment's title attribute. */
  tryOnTitle: string;
  tryOnPrivacy: string;
  choosePhoto: string;
  useCamera: string;
  takePhoto: string;
  samplePhotos: string;
  downloadingTryOn: string;
  rendering: string;
  before: string;
  after: string;
  save: string;
  close: string;
  landscape: string;
  noPerson: string;
  notAPhoto: string;
  /** `{message}`: what went wrong. */
  tryOnFailed: string;
  /** `{message}`: what went wrong. */
  cameraFailed: string;
  'event:view': string;
  'event:add-to-cart': string;
  'event:purchase': string;
}

export type VitrineEventType = 'view' | 'add-to-cart' | 'purchase';
export type VitrinePlacement = 'for-you' | 'similar' | 'bought-together' | 'recently-viewed';

export interface CatalogItem {
  id: string;
  title: string;
  price: number;
  image?: string;
  url?: string;
}

export interface Recommendation {
  id: string;
  score: number;
  item?: CatalogItem;
  /** The history item this one is most like ("Why this?"). */
  because?: string;
}

export interface RecommendOptions {
  placement?: VitrinePlacement;
  /** The product on screen: anchor of 'similar' and 'bought-together', never recommended to itself. */
  item?: string | null;
  /** How many items, 1–50. Default 8. */
  k?: number;
}

export declare const DEFAULTS: Readonly<Required<VitrineOptions>>;
export declare function init(options?: VitrineOptions): VitrineApi;
export declare function track(type: VitrineEventType, id: string | number): boolean;
export declare function clearHistory(): void;
export declare function recommend(options?: RecommendOptions | number): Promise<{ coldStart: boolean; items: Recommendation[] }>;
export declare function backend(): Promise<'webgpu' | 'cpu'>;
export declare function setStrings(strings: Partial<VitrineStrings>): void;

export interface VitrineApi {
  init: typeof init;
  track: typeof track;
  clearHistory: typeof clearHistory;
  recommend: typeof recommend;
  backend: typeof backend;
  setStrings: typeof setStrings;
  DEFAULTS: typeof DEFAULTS;
}

export interface VitrineReadyDetail {
  coldStart: boolean;
  ids: string[];
}

export interface VitrineErrorDetail {
  /** The typed error name: ChecksumMismatch, CorruptModel, InvalidCard, MalformedCatalog, UnknownIds, InvalidRequest, BackendError, or Error. */
  name: string;
  message: string;
}

declare global {
  interface Window {
    Vitrine: VitrineApi;
  }
  interface HTMLElementTagNameMap {
    'vitrine-recommendations': HTMLElement;
    'vitrine-history': HTMLElement;
  }
  interface HTMLElementEventMap {
    'vitrine:ready': CustomEvent<VitrineReadyDetail>;
    'vitrine:error': CustomEvent<VitrineErrorDetail>;
  }
}
