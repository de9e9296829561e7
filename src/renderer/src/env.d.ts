/// <reference types="vite/client" />
import type { PreloadBridge } from '../../shared/api';

declare module '*.vue' {
  import type { DefineComponent } from 'vue';
  const component: DefineComponent<object, object, unknown>;
  export default component;
}

declare global {
  interface Window {
    /** Present in Electron (exposed by the preload script); absent in browser mode. */
    microApi?: PreloadBridge;
  }
}
